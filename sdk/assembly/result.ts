import { JSON } from "json-as";

/**
 * The error value of a failed host call: a stable code from `src-shared/errors.ts` (`VALIDATION`,
 * `NOT_FOUND`, `PERMISSION_DENIED`, `NOT_SUPPORTED`, `RATE_LIMITED`, `QUOTA_EXCEEDED`, …) and a message.
 *
 * @example
 * const r = vdfs.getEntry(id);
 * if (!r.ok) log.warn(r.error!.code + ": " + r.error!.message);
 */
@json
export class VdfsError {
  code: string = "";
  message: string = "";

  static of(code: string, message: string): VdfsError {
    const e = new VdfsError();
    e.code = code;
    e.message = message;
    return e;
  }

  toString(): string {
    return this.code + ": " + this.message;
  }
}

/** The zero value of T, so a failed Result still holds a T-typed slot (null for references). */
// @ts-ignore: inline
@inline
function zero<T>(): T {
  if (isReference<T>()) return changetype<T>(<usize>0);
  // @ts-ignore: numeric and bool T
  return <T>0;
}

/**
 * What every SDK call returns: a value or an error value, never a trap. Check `ok` before `value`;
 * `unwrap()` is for code that cannot continue anyway (it aborts the export with the error's message).
 *
 * @example
 * const page = vdfs.queryEntries(new EntryQuery().kind("image"));
 * if (!page.ok) return fail(page.error!);
 * for (let i = 0; i < page.value.items.length; i++) { … }
 */
export class Result<T> {
  constructor(
    /** The value; the zero value (null for classes) when `ok` is false. */
    public value: T,
    /** The error value; null when the call succeeded. */
    public error: VdfsError | null,
  ) {}

  /** True when the call succeeded. */
  get ok(): bool {
    return this.error === null;
  }

  /** The value, or an abort carrying the error's code and message. */
  unwrap(): T {
    const e = this.error;
    if (e !== null) abort(e.code + ": " + e.message);
    return this.value;
  }

  /** A successful result. */
  static success<T>(value: T): Result<T> {
    return new Result<T>(value, null);
  }

  /** A failed result with `code` and `message`. */
  static failure<T>(code: string, message: string): Result<T> {
    return new Result<T>(zero<T>(), VdfsError.of(code, message));
  }

  /** A failed result carrying another result's error (to pass an error up with another value type). */
  static from<T>(error: VdfsError): Result<T> {
    return new Result<T>(zero<T>(), error);
  }
}
