import { extism_log_debug, extism_log_error, extism_log_info, extism_log_warn } from "./env";
import { freeHandle, storeString } from "./memory";
import { vdfsCallRaw } from "./call";
import { JsonObject } from "./json-writer";
import { VdfsError } from "./result";

/**
 * Log lines, through Extism's log functions (UTF-8, full byte length). The host forwards `info` and above,
 * at most a fixed number of lines per call (the rest are counted and dropped); `debug` is for local runs.
 */
export namespace log {
  /** @example log.info("tagged 12 files in Données/") */
  export function info(message: string): void {
    const h = storeString(message);
    extism_log_info(h);
    freeHandle(h);
  }
  /** @example log.debug("page " + i.toString()) */
  export function debug(message: string): void {
    const h = storeString(message);
    extism_log_debug(h);
    freeHandle(h);
  }
  /** @example log.warn("skipped an entry without content id") */
  export function warn(message: string): void {
    const h = storeString(message);
    extism_log_warn(h);
    freeHandle(h);
  }
  /** @example log.error("could not write sidecar: " + r.error!.toString()) */
  export function error(message: string): void {
    const h = storeString(message);
    extism_log_error(h);
    freeHandle(h);
  }

  /**
   * Records a trace line through the host (`trace` method, `{message}`): a span name, a duration in
   * milliseconds and free text, as one line. Returns the error value when the host refuses (e.g. rate limited).
   *
   * @example
   * const err = log.trace("hash-batch", 12.5, "32 files");
   */
  export function trace(span: string, durationMs: f64, detail: string): VdfsError | null {
    const message = span + " " + durationMs.toString() + "ms " + detail;
    return vdfsCallRaw("trace", new JsonObject().str("message", message).toString()).error;
  }
}
