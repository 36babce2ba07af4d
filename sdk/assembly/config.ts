import { JSON } from "json-as";
import { extism_config_get, extism_var_get, extism_var_set } from "./env";
import { freeHandle, loadBytes, loadString, storeBytes, storeString } from "./memory";

/**
 * Extism config: string values the host sets when it starts the plugin. Cairn puts the extension's
 * settings (manifest defaults merged with the user's values) under the key `settings` as one JSON object.
 */
export namespace config {
  /**
   * A config value, or null when the key is not set. Values are UTF-8; non-ASCII keys and values work.
   *
   * @example
   * const mode = config.get("mode");
   */
  export function get(key: string): string | null {
    const k = storeString(key);
    const h = extism_config_get(k);
    freeHandle(k);
    if (h == 0) return null;
    const s = loadString(h);
    freeHandle(h);
    return s;
  }

  /**
   * The extension's settings parsed into your `@json` class `T` (fields named like the manifest's
   * `settings` keys). Missing keys keep the class's defaults; without any settings, a fresh `T`.
   *
   * @example
   * @json class Settings { prefix: string = "kind"; include_hidden: bool = false; }
   * const s = config.settings<Settings>();
   */
  export function settings<T>(): T {
    const raw = get("settings");
    if (raw === null || raw.length == 0) return JSON.parse<T>("{}");
    return JSON.parse<T>(raw);
  }

  /**
   * One setting as JSON text (`true`, `42`, `"text"`), or null when not set.
   *
   * @example
   * const raw = config.settingJson("threshold");
   */
  export function settingJson(name: string): string | null {
    const raw = get("settings");
    if (raw === null || raw.length == 0) return null;
    const obj = JSON.parse<Map<string, JSON.Raw>>(raw);
    if (!obj.has(name)) return null;
    return obj.get(name).toString();
  }

  /** A boolean setting, or `fallback` when unset. */
  export function getBool(name: string, fallback: bool): bool {
    const v = settingJson(name);
    return v === null ? fallback : v == "true";
  }

  /** A number setting, or `fallback` when unset. */
  export function getNumber(name: string, fallback: f64): f64 {
    const v = settingJson(name);
    return v === null ? fallback : JSON.parse<f64>(v);
  }

  /** A string (or enum) setting, or `fallback` when unset. */
  export function getString(name: string, fallback: string): string {
    const v = settingJson(name);
    return v === null ? fallback : JSON.parse<string>(v);
  }
}

/**
 * Extism vars: small values that survive between calls of one running plugin (not restarts; use
 * `jobs.checkpoint` or models for anything durable). The host caps their total size.
 */
export namespace vars {
  /**
   * A var's bytes, or null when it is not set.
   *
   * @example
   * const seen = vars.get("seen");
   */
  export function get(key: string): Uint8Array | null {
    const k = storeString(key);
    const h = extism_var_get(k);
    freeHandle(k);
    if (h == 0) return null;
    const b = loadBytes(h);
    freeHandle(h);
    return b;
  }

  /** Sets a var to raw bytes. */
  export function set(key: string, value: Uint8Array): void {
    const k = storeString(key);
    const v = storeBytes(value);
    extism_var_set(k, v);
    freeHandle(k);
    freeHandle(v);
  }

  /**
   * A var as UTF-8 text, or null.
   *
   * @example
   * vars.setString("last", "naïve"); vars.getString("last"); // "naïve"
   */
  export function getString(key: string): string | null {
    const b = get(key);
    if (b === null) return null;
    return String.UTF8.decodeUnsafe(b.dataStart, <usize>b.length, false);
  }

  /** Sets a var to UTF-8 text. */
  export function setString(key: string, value: string): void {
    set(key, Uint8Array.wrap(String.UTF8.encode(value, false)));
  }

  /** Removes a var. */
  export function remove(key: string): void {
    const k = storeString(key);
    extism_var_set(k, 0);
    freeHandle(k);
  }
}
