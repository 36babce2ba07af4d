// Raw imports of the Extism guest ABI and of Cairn's one host function. Every pointer here is a u64
// handle into Extism's memory, not an address in the guest's own linear memory. Extension authors never
// call these directly: use `host.ts` (input, output, config, vars, logs) and `vdfs.ts`.

// @ts-ignore: decorator
@external("extism:host/env", "alloc")
export declare function extism_alloc(length: u64): u64;
// @ts-ignore: decorator
@external("extism:host/env", "free")
export declare function extism_free(offset: u64): void;
// @ts-ignore: decorator
@external("extism:host/env", "length")
export declare function extism_length(offset: u64): u64;
// @ts-ignore: decorator
@external("extism:host/env", "load_u8")
export declare function extism_load_u8(offset: u64): u8;
// @ts-ignore: decorator
@external("extism:host/env", "load_u64")
export declare function extism_load_u64(offset: u64): u64;
// @ts-ignore: decorator
@external("extism:host/env", "store_u8")
export declare function extism_store_u8(offset: u64, value: u8): void;
// @ts-ignore: decorator
@external("extism:host/env", "store_u64")
export declare function extism_store_u64(offset: u64, value: u64): void;
// @ts-ignore: decorator
@external("extism:host/env", "input_length")
export declare function extism_input_length(): u64;
// @ts-ignore: decorator
@external("extism:host/env", "input_load_u8")
export declare function extism_input_load_u8(offset: u64): u8;
// @ts-ignore: decorator
@external("extism:host/env", "input_load_u64")
export declare function extism_input_load_u64(offset: u64): u64;
// @ts-ignore: decorator
@external("extism:host/env", "output_set")
export declare function extism_output_set(offset: u64, length: u64): void;
// @ts-ignore: decorator
@external("extism:host/env", "error_set")
export declare function extism_error_set(offset: u64): void;
// @ts-ignore: decorator
@external("extism:host/env", "config_get")
export declare function extism_config_get(keyOffset: u64): u64;
// @ts-ignore: decorator
@external("extism:host/env", "var_get")
export declare function extism_var_get(keyOffset: u64): u64;
// @ts-ignore: decorator
@external("extism:host/env", "var_set")
export declare function extism_var_set(keyOffset: u64, valueOffset: u64): void;
// @ts-ignore: decorator
@external("extism:host/env", "log_info")
export declare function extism_log_info(offset: u64): void;
// @ts-ignore: decorator
@external("extism:host/env", "log_debug")
export declare function extism_log_debug(offset: u64): void;
// @ts-ignore: decorator
@external("extism:host/env", "log_warn")
export declare function extism_log_warn(offset: u64): void;
// @ts-ignore: decorator
@external("extism:host/env", "log_error")
export declare function extism_log_error(offset: u64): void;

/** Cairn's one host function: a UTF-8 JSON request handle in, a UTF-8 JSON response handle out. */
// @ts-ignore: decorator
@external("cairn", "vdfs_call")
export declare function cairn_vdfs_call(request: u64): u64;
