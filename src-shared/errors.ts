/**
 * Stable error codes. Every failure that crosses a boundary (IPC, WebSocket, CLI, extension bridge)
 * is reduced to `{ code, message }` with one of these codes. Codes are append-only: callers match on them.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'UNKNOWN_OPERATION',
  'NOT_FOUND',
  'CONFLICT',
  'CONFIRMATION_REQUIRED',
  'PERMISSION_DENIED',
  'NOT_A_LIBRARY',
  'LIBRARY_CORRUPT',
  'LIBRARY_TOO_NEW',
  'LIBRARY_BUSY',
  'IO',
  'NOT_SUPPORTED',
  'TIMEOUT',
  'CANCELLED',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The wire form of an error. */
export interface WireError {
  code: ErrorCode;
  message: string;
}

/**
 * An error with a stable code, thrown inside the core and turned into a {@link WireError} at a boundary.
 *
 * @example
 * throw new CairnError('NOT_FOUND', `No location with id ${id}`);
 */
export class CairnError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CairnError';
    this.code = code;
  }
}

/** True when `value` names one of {@link ERROR_CODES}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Reduces anything thrown to a {@link WireError}. Unknown errors become `INTERNAL` with their message,
 * never a stack trace.
 *
 * @example
 * toWireError(new CairnError('CONFLICT', 'Already added')) // { code: 'CONFLICT', message: 'Already added' }
 */
export function toWireError(error: unknown): WireError {
  if (error instanceof CairnError) return { code: error.code, message: error.message };
  if (
    typeof error === 'object' &&
    error !== null &&
    isErrorCode((error as { code?: unknown }).code) &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return { code: (error as WireError).code, message: (error as WireError).message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: message || 'Internal error' };
}

/** The result of invoking an operation across any boundary. Errors are values, never exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: WireError };
