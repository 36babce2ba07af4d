import { hrtime } from 'node:process';

/** Rate and burst of a {@link SharedTokenBucket}. */
export interface TokenBucketLimits {
  /** Tokens added per second (the sustained rate). */
  perSecond: number;
  /** Bucket size: how many takes may happen at once after a quiet period. */
  burst: number;
}

/**
 * A token bucket whose state lives in a SharedArrayBuffer, so the worker that runs a guest can take tokens
 * synchronously and the bucket survives that worker being terminated and replaced (a guest cannot reset its
 * limit by getting itself killed). Several plugin instances of one extension may share a bucket.
 *
 * It is implemented as GCRA (the "virtual scheduling" form of a token bucket): one 64-bit "theoretical
 * arrival time" updated with compare-and-swap, so it is lock-free and a worker terminated mid-take cannot
 * leave it locked. Time is `process.hrtime`, which is monotonic and shared by all threads of the process.
 *
 * Failure modes: the constructor throws a RangeError for a non-positive rate or burst. `tryTake()` never throws.
 *
 * @example
 * const bucket = new SharedTokenBucket({ perSecond: 1000, burst: 200 });
 * if (!bucket.tryTake()) return { error: { code: 'RATE_LIMITED', message: 'Too many calls' } };
 * // in a worker: SharedTokenBucket.attach(bucket.buffer, bucket.limits)
 */
export class SharedTokenBucket {
  readonly buffer: SharedArrayBuffer;
  readonly limits: TokenBucketLimits;
  #tat: BigInt64Array;
  #intervalNs: bigint;
  #toleranceNs: bigint;

  constructor(limits: TokenBucketLimits, buffer?: SharedArrayBuffer) {
    if (!(limits.perSecond > 0) || !(limits.burst >= 1)) {
      throw new RangeError(`Token bucket needs perSecond > 0 and burst >= 1, got ${limits.perSecond}/${limits.burst}`);
    }
    this.limits = { perSecond: limits.perSecond, burst: Math.floor(limits.burst) };
    this.buffer = buffer ?? new SharedArrayBuffer(8);
    this.#tat = new BigInt64Array(this.buffer, 0, 1);
    this.#intervalNs = BigInt(Math.max(1, Math.round(1e9 / limits.perSecond)));
    this.#toleranceNs = this.#intervalNs * BigInt(this.limits.burst);
  }

  /** Opens a bucket created elsewhere (e.g. in the main thread) from its buffer. */
  static attach(buffer: SharedArrayBuffer, limits: TokenBucketLimits): SharedTokenBucket {
    return new SharedTokenBucket(limits, buffer);
  }

  /** Takes one token if there is one. Returns false when the caller is over its rate. */
  tryTake(): boolean {
    for (;;) {
      const now = hrtime.bigint();
      const tat = Atomics.load(this.#tat, 0);
      const next = (tat > now ? tat : now) + this.#intervalNs;
      if (next - now > this.#toleranceNs) return false;
      if (Atomics.compareExchange(this.#tat, 0, tat, next) === tat) return true;
    }
  }
}
