// Copies between the guest's linear memory and Extism memory (u64 handles). Strings cross the boundary as
// UTF-8, and every length is a UTF-8 byte length: `@extism/as-pdk@1.0.0` passed UTF-16 character counts,
// which cut non-ASCII text short. That is the bug this binding exists to avoid.
import {
  extism_alloc, extism_free, extism_length, extism_load_u8, extism_load_u64, extism_store_u8, extism_store_u64,
  extism_input_length, extism_input_load_u8, extism_input_load_u64,
} from "./env";

/**
 * Copies `bytes` into a fresh block of Extism memory and returns its handle. The caller owns the block:
 * pass it to the host (which may keep it, e.g. `output_set`) or `freeHandle` it.
 *
 * @example
 * const h = storeBytes(Uint8Array.wrap(String.UTF8.encode("héllo")));  // 6 bytes, not 5
 */
export function storeBytes(bytes: Uint8Array): u64 {
  const n = bytes.length;
  const handle = extism_alloc(<u64>n);
  const base = bytes.dataStart;
  let i = 0;
  for (; i + 8 <= n; i += 8) extism_store_u64(handle + <u64>i, load<u64>(base + <usize>i));
  for (; i < n; i++) extism_store_u8(handle + <u64>i, load<u8>(base + <usize>i));
  return handle;
}

/**
 * Copies a string into Extism memory as UTF-8 (no terminator) and returns the handle.
 *
 * @example
 * const h = storeString("Zürich ☃");  // length(h) == 11
 */
export function storeString(s: string): u64 {
  return storeBytes(Uint8Array.wrap(String.UTF8.encode(s, false)));
}

/**
 * Reads a whole Extism block. A zero handle (what `config_get`/`var_get` return for a missing key) gives
 * an empty array.
 *
 * @example
 * const bytes = loadBytes(handle);
 */
export function loadBytes(handle: u64): Uint8Array {
  if (handle == 0) return new Uint8Array(0);
  const n = <i32>extism_length(handle);
  const out = new Uint8Array(n);
  const base = out.dataStart;
  let i = 0;
  for (; i + 8 <= n; i += 8) store<u64>(base + <usize>i, extism_load_u64(handle + <u64>i));
  for (; i < n; i++) store<u8>(base + <usize>i, extism_load_u8(handle + <u64>i));
  return out;
}

/**
 * Reads a whole Extism block as UTF-8 text.
 *
 * @example
 * const text = loadString(handle);
 */
export function loadString(handle: u64): string {
  const bytes = loadBytes(handle);
  return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>bytes.length, false);
}

/**
 * Frees an Extism block the guest owns. Zero is ignored. Free vdfs responses once read: the host counts live
 * Extism memory per call against a quota.
 */
export function freeHandle(handle: u64): void {
  if (handle != 0) extism_free(handle);
}

/**
 * The raw bytes of this call's input.
 *
 * @example
 * const raw = inputBytes();
 */
export function inputBytes(): Uint8Array {
  const n = <i32>extism_input_length();
  const out = new Uint8Array(n);
  const base = out.dataStart;
  let i = 0;
  for (; i + 8 <= n; i += 8) store<u64>(base + <usize>i, extism_input_load_u64(<u64>i));
  for (; i < n; i++) store<u8>(base + <usize>i, extism_input_load_u8(<u64>i));
  return out;
}
