import type { CairnBridge, ServerMessage } from '../../src-shared/bridge';
import type { EventName, PayloadOf } from '../../src-shared/contract';
import type { WireError } from '../../src-shared/errors';

type Pending = { resolve: (value: unknown) => void; reject: (error: WireError) => void };

/**
 * The bridge used in a browser against the headless shell: the same `invoke`/`on` surface as Electron's
 * preload, over a WebSocket to the page's own origin (authenticated by the HttpOnly token cookie).
 * Calls made while disconnected wait for the connection; calls in flight when it drops reject with `IO`.
 */
export function createWebBridge(url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`): CairnBridge {
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => {
        socket = ws;
        retryMs = 250;
        resolve(ws);
        for (const listener of listeners.get('bridge.onDidReconnect') ?? []) listener({});
      };
      ws.onmessage = (event) => {
        let message: ServerMessage;
        try {
          message = JSON.parse(String(event.data)) as ServerMessage;
        } catch {
          return;
        }
        if (message.type === 'event') {
          for (const listener of listeners.get(message.name) ?? []) listener(message.payload);
          return;
        }
        if (message.id === null) return;
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        if (message.ok) call.resolve(message.value);
        else call.reject(message.error as WireError);
      };
      ws.onclose = () => {
        const wasOpen = socket === ws;
        socket = null;
        ready = null;
        for (const [id, call] of pending) {
          pending.delete(id);
          call.reject({ code: 'IO', message: 'Lost the connection to Cairn; retrying.' });
        }
        if (!wasOpen) reject({ code: 'IO', message: 'Cannot reach Cairn. Is `cairn serve` still running?' });
        setTimeout(() => void connect().catch(() => undefined), retryMs);
        retryMs = Math.min(retryMs * 2, 5000);
      };
    });
    return ready;
  };
  void connect().catch(() => undefined);

  return {
    kind: 'web',
    async invoke(name, input) {
      const ws = await connect();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ type: 'invoke', id, name, input }));
      });
    },
    on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  };
}
