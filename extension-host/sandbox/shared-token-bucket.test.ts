import { describe, expect, it } from 'vitest';
import { SharedTokenBucket } from './shared-token-bucket.js';

describe('SharedTokenBucket', () => {
  it('allows a burst, then refuses until tokens refill', async () => {
    const bucket = new SharedTokenBucket({ perSecond: 4, burst: 5 }); // one token per 250 ms: no refill inside the loop
    const taken = Array.from({ length: 8 }, () => bucket.tryTake());
    expect(taken).toEqual([true, true, true, true, true, false, false, false]);
    await new Promise((r) => setTimeout(r, 300)); // at least one token back
    expect(bucket.tryTake()).toBe(true);
  });

  it('shares its state with every bucket attached to the same buffer (threads use the same buffer)', () => {
    const bucket = new SharedTokenBucket({ perSecond: 0.001, burst: 10 });
    const other = SharedTokenBucket.attach(bucket.buffer, bucket.limits);
    for (let i = 0; i < 4; i++) expect(bucket.tryTake()).toBe(true);
    for (let i = 0; i < 6; i++) expect(other.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    expect(other.tryTake()).toBe(false);
  });

  it('rejects nonsensical limits', () => {
    expect(() => new SharedTokenBucket({ perSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new SharedTokenBucket({ perSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
