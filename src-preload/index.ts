/**
 * The preload script: the only code with access to both Electron's IPC and the renderer's window.
 * It exposes exactly one object, `window.cairn`, with `invoke(name, input)` and `on(event, cb)`,
 * both checked against the contract's names before anything crosses to main.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from '../src-shared/bridge.js';
import { isEventName, isOperationName } from '../src-shared/contract/index.js';
import type { Result } from '../src-shared/errors.js';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(IPC_EVENT, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

contextBridge.exposeInMainWorld('cairn', {
  kind: 'electron',
  async invoke(name: unknown, input: unknown): Promise<unknown> {
    if (!isOperationName(name)) {
      throw { code: 'UNKNOWN_OPERATION', message: `Unknown operation: ${String(name).slice(0, 100)}` };
    }
    const result = (await ipcRenderer.invoke(IPC_INVOKE, name, input)) as Result<unknown>;
    if (result.ok) return result.value;
    throw result.error;
  },
  on(event: unknown, listener: unknown): () => void {
    if (!isEventName(event) || typeof listener !== 'function') return () => undefined;
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  },
});
