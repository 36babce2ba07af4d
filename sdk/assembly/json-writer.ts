// A small JSON object writer for request payloads. Payloads go through the contract's strict zod schemas, so
// optional fields must be left out rather than sent as null; json-as classes cannot express "omit unless set"
// for primitives, so requests are written with this instead.
import { JSON } from "json-as";

/**
 * Builds one JSON object, key by key. Strings are escaped by json-as.
 *
 * @example
 * const json = new JsonObject().str("contentId", id).num("limit", 50).bool("merge", true).toString();
 * // {"contentId":"…","limit":50,"merge":true}
 */
export class JsonObject {
  private parts: string[] = [];

  /** Adds a string field. */
  str(key: string, value: string): JsonObject {
    this.parts.push(JSON.stringify(key) + ":" + JSON.stringify(value));
    return this;
  }
  /** Adds a string field only when `value` is not null. */
  optStr(key: string, value: string | null): JsonObject {
    if (value !== null) this.str(key, value);
    return this;
  }
  /** Adds a number field (integers print without a fraction). */
  num(key: string, value: f64): JsonObject {
    const isInt = value == Math.floor(value) && Math.abs(value) < 9007199254740992.0;
    this.parts.push(JSON.stringify(key) + ":" + (isInt ? (<i64>value).toString() : value.toString()));
    return this;
  }
  /** Adds a boolean field. */
  bool(key: string, value: bool): JsonObject {
    this.parts.push(JSON.stringify(key) + ":" + (value ? "true" : "false"));
    return this;
  }
  /** Adds an explicit null. */
  nul(key: string): JsonObject {
    this.parts.push(JSON.stringify(key) + ":null");
    return this;
  }
  /** Adds a string array. */
  strs(key: string, values: string[]): JsonObject {
    this.parts.push(JSON.stringify(key) + ":" + JSON.stringify<string[]>(values));
    return this;
  }
  /** Adds already-serialised JSON (an object, array or any value) as is. */
  raw(key: string, json: string): JsonObject {
    this.parts.push(JSON.stringify(key) + ":" + json);
    return this;
  }
  /** The object as JSON text. */
  toString(): string {
    return "{" + this.parts.join(",") + "}";
  }
}
