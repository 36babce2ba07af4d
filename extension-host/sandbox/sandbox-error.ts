import { CairnError, type ErrorCode } from '../../src-shared/errors.js';

/** Why a sandboxed call or start failed, finer than the wire error code. */
export const SANDBOX_FAILURE_KINDS = [
  'invalid_module', // refused at load: bad wasm, imported/shared/64-bit memory, unknown imports
  'start', // the worker or host module failed to start
  'timeout', // the call ran past its time budget; the worker was terminated
  'trap', // the guest trapped (unreachable, out-of-bounds, stack overflow, bad ABI use)
  'guest_error', // the guest reported an error with Extism's error_set
  'quota', // output, memory or message size over its limit
  'missing_export', // no such exported function
  'worker_exit', // the worker died under the call (e.g. its heap limit)
  'closed', // the plugin was closed
] as const;

export type SandboxFailureKind = (typeof SANDBOX_FAILURE_KINDS)[number];

/**
 * A {@link CairnError} raised by the extension sandbox. `code` is the stable wire code (TIMEOUT,
 * QUOTA_EXCEEDED, VALIDATION, INTERNAL, ...); `kind` says what happened inside the sandbox, for logs and for
 * callers that treat a trap differently from a guest-reported error. It crosses boundaries as a plain
 * CairnError: `toWireError` keeps its code and message.
 *
 * @example
 * try { await plugin.call('run', input); }
 * catch (e) { if (e instanceof SandboxError && e.kind === 'timeout') showSlowExtensionNotice(); }
 */
export class SandboxError extends CairnError {
  readonly kind: SandboxFailureKind;
  readonly extensionId: string;
  constructor(code: ErrorCode, kind: SandboxFailureKind, extensionId: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'SandboxError';
    this.kind = kind;
    this.extensionId = extensionId;
  }
}
