import type { EventName, InputOf, OperationName, OutputOf, PayloadOf } from './contract/index.js';

/**
 * The only surface the renderer sees, whichever shell it runs in. Electron's preload exposes it as
 * `window.cairn`; the headless shell provides it over a WebSocket.
 *
 * `invoke` rejects with a `{ code, message }` object (see `WireError`) when the operation fails.
 *
 * @example
 * const libs = await bridge.invoke('library.list', {});
 * const off = bridge.on('library.onDidChange', () => refresh());
 */
export interface CairnBridge {
  readonly kind: 'electron' | 'web';
  invoke<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>>;
  on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void;
}

/** Messages of the WebSocket protocol used by the headless shell. */
export type ClientMessage = { type: 'invoke'; id: number; name: string; input: unknown };
export type ServerMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number | null; ok: false; error: { code: string; message: string } }
  | { type: 'event'; name: string; payload: unknown };

/** IPC channel names used between Electron's main process and preload. */
export const IPC_INVOKE = 'cairn:invoke';
export const IPC_EVENT = 'cairn:event';
