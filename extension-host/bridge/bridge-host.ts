// The host module SandboxedPlugin loads inside each extension's worker (see extension-host/sandbox/README.md):
// it opens the library on the worker's own connection and answers every vdfs_call through ExtensionBridge.
import type { ModelQuota } from '../../src-main/core/models/model-service.js';
import type { HostDispatcher, HostModuleInit } from '../sandbox/sandbox-protocol.js';
import { ExtensionBridge } from './extension-bridge.js';

/** `hostInit` for the bridge host module (structured-clonable). */
export interface BridgeInit {
  libraryPath: string;
  deviceId?: string;
  quota?: ModelQuota;
  /** Present for plugins that run job steps and tasks; the flag (Int32 at 0) is set to 1 on interruption. */
  job?: { interruptFlag?: SharedArrayBuffer };
}

/**
 * Builds the dispatcher: opens the library named by `init.data.libraryPath` and returns
 * `(method, payload) => bridge.dispatch(method, payload)`. Events (core events, logs, job calls) go to the main
 * thread through `init.emit`.
 *
 * Failure modes: rejects when `libraryPath` is missing or the library cannot be opened, which makes
 * `SandboxedPlugin.start` fail with INTERNAL.
 *
 * @example
 * SandboxedPlugin.start({ extensionId, wasm, hostModulePath: BRIDGE_HOST_MODULE, hostInit: { libraryPath } });
 */
export async function createDispatcher(init: HostModuleInit): Promise<HostDispatcher> {
  const data = (init.data ?? {}) as Partial<BridgeInit>;
  if (typeof data.libraryPath !== 'string') throw new Error('The bridge host module needs hostInit.libraryPath.');
  const bridge = await ExtensionBridge.open({
    libraryPath: data.libraryPath,
    extensionId: init.extensionId,
    deviceId: data.deviceId,
    quota: data.quota,
    job: data.job,
    emit: (event) => init.emit(event),
  });
  return (method, payload) => bridge.dispatch(method, payload);
}
