import type { EventName, PayloadOf } from '../../../src-shared/contract/index.js';

type Listener<E extends EventName> = (payload: PayloadOf<E>) => void;
type AnyListener = <E extends EventName>(name: E, payload: PayloadOf<E>) => void;

/**
 * The core's typed event bus. Shells subscribe with {@link EventBus.onAny} and forward events to the
 * renderer; core modules emit with {@link EventBus.emit}. A listener that throws is reported and
 * never stops delivery to the others.
 *
 * @example
 * const off = events.on('locations.onDidChange', ({ libraryId }) => refresh(libraryId));
 * events.emit('locations.onDidChange', { libraryId });
 * off();
 */
export class EventBus {
  readonly #listeners = new Map<EventName, Set<Listener<EventName>>>();
  readonly #any = new Set<AnyListener>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = (e) => console.error('[events] listener failed:', e)) {
    this.#onListenerError = onListenerError;
  }

  on<E extends EventName>(name: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  onAny(listener: AnyListener): () => void {
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }

  emit<E extends EventName>(name: E, payload: PayloadOf<E>): void {
    for (const listener of this.#listeners.get(name) ?? []) this.#safe(() => listener(payload));
    for (const listener of this.#any) this.#safe(() => listener(name, payload));
  }

  #safe(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#onListenerError(error);
    }
  }
}
