import type { CairnBridge } from '../../src-shared/bridge';
import { createWebBridge } from './web-bridge';

declare global {
  interface Window {
    /** Set by Electron's preload; absent in a browser. */
    cairn?: CairnBridge;
  }
}

let bridge: CairnBridge | null = null;

/** The bridge for whichever shell the renderer runs in: Electron's preload, or the headless shell's WebSocket. */
export function getBridge(): CairnBridge {
  if (!bridge) {
    bridge = window.cairn ?? createWebBridge();
    // The access token has done its job once the cookie is set; keep it out of the address bar and history.
    if (bridge.kind === 'web' && new URLSearchParams(location.search).has('token')) {
      history.replaceState(null, '', location.pathname);
    }
  }
  return bridge;
}

/** Turns anything a bridge call rejected with into words for the user. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
