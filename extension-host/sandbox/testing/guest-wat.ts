import { wat } from './wat.js';

/**
 * The Extism guest ABI in WebAssembly text, for hand-written test guests. Every handle is a 64-bit offset
 * into Extism memory (not guest memory); signatures match `extism:host/env` in @extism/extism 2.0.0-rc13.
 */
const PRELUDE = `
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "cairn" "vdfs_call" (func $vdfs_call (param i64) (result i64)))
`;

/** Helpers every test guest gets: moving bytes between guest memory and Extism memory. */
const HELPERS = `
  ;; Copies guest memory [ptr, ptr+len) into a new Extism block and returns its handle.
  (func $to_extism (param $ptr i32) (param $len i32) (result i64)
    (local $h i64) (local $i i32)
    (local.set $h (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                      (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $h))

  ;; Copies an Extism block into guest memory at ptr and returns its length.
  (func $from_extism (param $h i64) (param $ptr i32) (result i32)
    (local $len i32) (local $i i32)
    (local.set $len (i32.wrap_i64 (call $length (local.get $h))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (local.get $ptr) (local.get $i))
                  (call $load_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $len))

  ;; Copies the call's input into guest memory at ptr and returns its length.
  (func $input_to (param $ptr i32) (result i32)
    (local $len i32) (local $i i32)
    (local.set $len (i32.wrap_i64 (call $input_length)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (i32.store8 (i32.add (local.get $ptr) (local.get $i))
                  (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $len))

  ;; Sets guest memory [ptr, ptr+len) as the call's output.
  (func $output (param $ptr i32) (param $len i32)
    (call $output_set (call $to_extism (local.get $ptr) (local.get $len)) (i64.extend_i32_u (local.get $len))))

  ;; Sends the input as a vdfs_call request (through guest memory) and outputs the response (through guest memory).
  (func (export "relay") (result i32)
    (local $len i32)
    (local.set $len (call $input_to (i32.const 1024)))
    (local.set $len (call $from_extism (call $vdfs_call (call $to_extism (i32.const 1024) (local.get $len))) (i32.const 1024)))
    (call $output (i32.const 1024) (local.get $len))
    (i32.const 0))
`;

/**
 * Builds a test guest: the Extism imports, the helpers above (including the `relay` export) and `body`,
 * which may use `$to_extism`, `$from_extism`, `$input_to`, `$output` and every import by its `$name`.
 * Guest memory: 1 page to start, data at offset 0 is free for `(data ...)` segments in `body`.
 *
 * @example
 * const wasm = await buildGuest(`(func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))`);
 */
export async function buildGuest(body: string, memory = '(memory (export "memory") 1)'): Promise<Uint8Array> {
  return wat(`(module ${PRELUDE} ${memory} ${HELPERS} ${body})`);
}
