/**
 * A hybrid logical clock: timestamps that sort in causal order across devices even when wall clocks
 * drift. Format: `<ms since epoch, 13 digits>-<counter, 6 digits>-<device id>`, so plain string
 * comparison orders them, and the device id breaks ties.
 *
 * @example
 * const clock = new HybridLogicalClock(deviceId);
 * const a = clock.now(); const b = clock.now(); // a < b, always
 */
export class HybridLogicalClock {
  readonly #deviceId: string;
  readonly #wallClock: () => number;
  #lastMs = 0;
  #counter = 0;

  constructor(deviceId: string, wallClock: () => number = Date.now) {
    this.#deviceId = deviceId;
    this.#wallClock = wallClock;
  }

  /** A new timestamp, strictly greater than every one this clock has issued or observed. */
  now(): string {
    const wall = this.#wallClock();
    if (wall > this.#lastMs) {
      this.#lastMs = wall;
      this.#counter = 0;
    } else {
      this.#counter++;
    }
    return format(this.#lastMs, this.#counter, this.#deviceId);
  }

  /** Advances the clock past a timestamp received from another device. Malformed input is ignored. */
  observe(remote: string): void {
    const parsed = parseHlc(remote);
    if (!parsed) return;
    if (parsed.ms > this.#lastMs || (parsed.ms === this.#lastMs && parsed.counter > this.#counter)) {
      this.#lastMs = parsed.ms;
      this.#counter = parsed.counter;
    }
  }
}

function format(ms: number, counter: number, device: string): string {
  return `${String(ms).padStart(13, '0')}-${String(counter).padStart(6, '0')}-${device}`;
}

/** Splits an HLC string into its parts, or null if it is not one. */
export function parseHlc(value: string): { ms: number; counter: number; deviceId: string } | null {
  const match = /^(\d{13})-(\d{6})-(.+)$/.exec(value);
  if (!match) return null;
  return { ms: Number(match[1]), counter: Number(match[2]), deviceId: match[3]! };
}
