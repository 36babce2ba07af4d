import { CairnError } from '../../../src-shared/errors.js';

/**
 * A counting semaphore with FIFO waiters. `acquire` resolves with a release function (call it once);
 * a waiter whose `signal` aborts leaves the queue and rejects with the signal's reason.
 *
 * @example
 * const slots = new Semaphore(2);
 * const release = await slots.acquire(signal);
 * try { await work(); } finally { release(); }
 */
export class Semaphore {
  #free: number;
  readonly #waiters: { grant: () => void }[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new CairnError('VALIDATION', `A semaphore needs a size of at least 1 (got ${size}).`);
    this.#free = size;
  }

  /** Slots free right now. */
  get available(): number {
    return this.#free;
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#releaser());
        },
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // Hand the slot straight to the next waiter so that a new caller cannot overtake the queue.
      if (next) next.grant();
      else this.#free++;
    };
  }
}
