import { resolveWorkerFile } from '../../src-main/core/workers/spawn-worker.js';

/**
 * Absolute path of the bridge host module (`bridge-host.ts` in development, `.js` when built), to pass as
 * `hostModulePath` to `SandboxedPlugin.start`.
 *
 * @example
 * await SandboxedPlugin.start({ extensionId, wasm, hostModulePath: BRIDGE_HOST_MODULE, hostInit: { libraryPath } });
 */
export const BRIDGE_HOST_MODULE: string = resolveWorkerFile(import.meta.url, './bridge-host');
