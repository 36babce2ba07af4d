/**
 * The Electron shell. It stays thin: a hardened BrowserWindow, a custom protocol serving the built
 * renderer, and one IPC channel into the core's operation registry. Everything else is the core.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_EVENT, IPC_INVOKE } from '../../src-shared/bridge.js';
import type { Result } from '../../src-shared/errors.js';
import { APP_ROOT, APP_VERSION, RENDERER_DIR } from '../core/app-info.js';
import { CairnCore } from '../core/cairn-core.js';
import { ExtensionRuntime } from '../../extension-host/runtime/extension-runtime.js';
import { storeHandlers, uiHandlers } from '../../extension-host/store/store-handlers.js';
import { resolveSidecarRequest, SIDECAR_URL_PREFIX } from '../core/sidecars/sidecar-request.js';
import { BUNDLED_CATALOG_DIR, catalogIconCacheDir, EXT_ASSET_HEADERS, EXT_ASSET_URL_PREFIX, resolveExtAssetRequest } from '../core/sidecars/ext-asset-request.js';
import { mimeFor, resolveStatic } from '../server/static-files.js';

const SCHEME = 'cairn-app';
const APP_ORIGIN = `${SCHEME}://app`;

/** Strict CSP for the Electron renderer: only its own code, no remote content, no eval. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let mainWindow: BrowserWindow | null = null;

/** Only our own window's top frame, showing our own origin, may call into the core. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return (
    mainWindow !== null &&
    event.sender === mainWindow.webContents &&
    frame !== null &&
    frame === event.sender.mainFrame &&
    new URL(frame.url).origin === APP_ORIGIN
  );
}

function harden(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (new URL(url).origin !== APP_ORIGIN) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

async function main(): Promise<void> {
  await app.whenReady();
  const core: CairnCore = await CairnCore.start({
    shell: {
      'shell.info': () => ({ shell: 'electron', version: APP_VERSION, canPickFolders: true, home: core.home.dir }),
      'shell.pickFolder': async ({ title }) => {
        const options = { title: title ?? 'Choose a folder', properties: ['openDirectory' as const] };
        const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        return { path: result.canceled ? null : (result.filePaths[0] ?? null) };
      },
      'shell.pickFile': async ({ title, extensions }) => {
        const options = {
          title: title ?? 'Choose a file',
          properties: ['openFile' as const],
          ...(extensions && extensions.length > 0 ? { filters: [{ name: extensions.map((e) => `.${e}`).join(', '), extensions }] } : {}),
        };
        const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
        return { path: result.canceled ? null : (result.filePaths[0] ?? null) };
      },
    },
    // The extension runtime runs installed extensions' jobs and hooks next to the core.
    extensions: (c) => ExtensionRuntime.handlers(c),
    // The Extension Store and the UI extensions declare (extension-host/store).
    store: (c) => storeHandlers(c),
    ui: () => uiHandlers(),
  });
  // Jobs interrupted by a crash or the last quit come back now.
  await core.resumeJobs();

  // Serve the built renderer from cairn-app://app/ with the CSP on every response.
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host === 'app' && url.pathname.startsWith(SIDECAR_URL_PREFIX)) {
      const sidecar = await resolveSidecarRequest(core.libraries, url.pathname);
      if (!sidecar) return new Response('Not found', { status: 404 });
      const body = await net.fetch(pathToFileURL(sidecar.file).href);
      return new Response(body.body, { status: 200, headers: { 'content-type': sidecar.mime, 'x-content-type-options': 'nosniff' } });
    }
    if (url.host === 'app' && url.pathname.startsWith(EXT_ASSET_URL_PREFIX)) {
      const asset = await resolveExtAssetRequest(core.libraries, url.pathname, BUNDLED_CATALOG_DIR, catalogIconCacheDir(core.home.dir));
      if (!asset) return new Response('Not found', { status: 404 });
      const body = await net.fetch(pathToFileURL(asset.file).href);
      return new Response(body.body, { status: 200, headers: { 'content-type': asset.mime, ...EXT_ASSET_HEADERS } });
    }
    const file = url.host === 'app' ? resolveStatic(RENDERER_DIR, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).href);
    return new Response(response.body, {
      status: 200,
      headers: { 'content-type': mimeFor(file), 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' },
    });
  });

  // Deny every permission request (camera, notifications, ...): Cairn's renderer needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));

  ipcMain.handle(IPC_INVOKE, async (event, name: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { code: 'PERMISSION_DENIED', message: 'IPC from an untrusted frame was refused.' } };
    }
    return core.registry.invoke(name, input, { caller: { kind: 'user', via: 'ipc' } });
  });

  core.events.onAny((name, payload) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC_EVENT, name, payload);
  });

  app.on('web-contents-created', (_event, contents) => harden(contents));

  mainWindow = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Cairn',
    icon: path.join(APP_ROOT, 'assets', 'icon.png'),
    webPreferences: {
      preload: path.join(APP_ROOT, 'out', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  await mainWindow.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', async () => {
    await core.stop();
    app.quit();
  });
}

main().catch((error: unknown) => {
  console.error('Cairn failed to start:', error instanceof Error ? error.message : error);
  app.exit(1);
});
