import { describe, expect, it } from 'vitest';
import { HybridLogicalClock, parseHlc } from './hlc.js';

describe('HybridLogicalClock', () => {
  it('issues strictly increasing timestamps even when the wall clock stands still or goes back', () => {
    let wall = 1_000;
    const clock = new HybridLogicalClock('dev-a', () => wall);
    const seen = [clock.now(), clock.now()];
    wall = 500; // clock moved backwards
    seen.push(clock.now());
    wall = 2_000;
    seen.push(clock.now());
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
    expect(parseHlc(seen[2]!)).toEqual({ ms: 1_000, counter: 2, deviceId: 'dev-a' });
  });

  it('moves past timestamps observed from another device', () => {
    const clock = new HybridLogicalClock('dev-a', () => 1_000);
    const remote = new HybridLogicalClock('dev-b', () => 9_000).now();
    clock.observe(remote);
    expect(clock.now() > remote).toBe(true);
    clock.observe('garbage');
    expect(parseHlc('garbage')).toBeNull();
  });
});
