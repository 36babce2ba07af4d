import { JSON } from "json-as";
import { extism_error_set, extism_log_error, extism_output_set } from "./env";
import { inputBytes, storeBytes, storeString } from "./memory";
import { VdfsError } from "./result";

/**
 * This call's input, output and error: what an export reads first and writes last.
 */
export namespace Host {
  /**
   * The input as UTF-8 text.
   *
   * @example
   * const name = Host.inputString();  // "Zoë" arrives intact
   */
  export function inputString(): string {
    const bytes = inputBytes();
    return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length, false);
  }

  /**
   * The input parsed as JSON into `T`. Malformed input aborts the export (the host sees a trap).
   *
   * @example
   * const req = Host.input<TaskInput>();
   */
  export function input<T>(): T {
    return JSON.parse<T>(inputString());
  }

  /** The input's raw bytes. */
  export function inputRaw(): Uint8Array {
    return inputBytes();
  }

  /**
   * Sets the output to `text`, as UTF-8 with its byte length (non-ASCII text is not cut short).
   *
   * @example
   * Host.outputString("déjà vu");
   */
  export function outputString(text: string): void {
    const bytes = Uint8Array.wrap(String.UTF8.encode(text, false));
    outputBytes(bytes);
  }

  /** Sets the output to raw bytes. */
  export function outputBytes(bytes: Uint8Array): void {
    const h = storeBytes(bytes);
    extism_output_set(h, <u64>bytes.length);
  }

  /**
   * Serialises `value` (a `@json` class or any json-as type) as the output.
   *
   * @example
   * Host.output<Summary>(summary);
   */
  export function output<T>(value: T): void {
    outputString(JSON.stringify<T>(value));
  }

  /**
   * Marks this call as failed with `message` and returns 1, the export's failure code. The host rejects the
   * call with the message (`Plugin-originated error: …`).
   *
   * @example
   * export function task_hash(): i32 { if (bad) return Host.fail("no content id"); … return 0; }
   */
  export function fail(message: string): i32 {
    extism_error_set(storeString(message));
    return 1;
  }

  /** `fail` with an error value, as `CODE: message`. */
  export function failWith(error: VdfsError): i32 {
    return fail(error.code + ": " + error.message);
  }
}

/**
 * The abort handler every Cairn guest is built with (`--use abort=…/cairnAbort`; `cairn ext build` sets it).
 * AssemblyScript calls it on a failed assertion, an out-of-bounds access, a JSON parse error or
 * `Result.unwrap()` of an error. It reports the message and position through `error_set` and `log_error`,
 * then traps: the call fails, the plugin stays usable.
 */
export function cairnAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  const text = "abort: " + (message !== null ? message : "(no message)") + " at " + (fileName !== null ? fileName : "?") + ":" + line.toString() + ":" + column.toString();
  const h = storeString(text);
  extism_log_error(h);
  extism_error_set(h);
  unreachable();
}
