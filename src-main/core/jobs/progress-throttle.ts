/**
 * Coalesces rapid updates: the first value goes out at once, later ones at most every `intervalMs`, and the
 * latest value always goes out eventually (trailing edge). `flush()` sends a pending value now; `dispose()`
 * drops it. The emit callback's exceptions propagate to whoever triggered the emit.
 *
 * @example
 * const t = new ProgressThrottle(100, (p) => bus.emit('jobs.onDidProgress', p));
 * for (const p of updates) t.push(p); // a handful of emits, the last one included
 * t.flush();
 */
export class ProgressThrottle<T> {
  readonly #intervalMs: number;
  readonly #emit: (value: T) => void;
  #last = -Infinity;
  #pending: { value: T } | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, emit: (value: T) => void) {
    this.#intervalMs = intervalMs;
    this.#emit = emit;
  }

  push(value: T): void {
    this.#pending = { value };
    if (this.#timer) return;
    const wait = this.#last + this.#intervalMs - performance.now();
    if (wait <= 0) this.flush();
    else this.#timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending) return;
    this.#last = performance.now();
    this.#emit(pending.value);
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }
}
