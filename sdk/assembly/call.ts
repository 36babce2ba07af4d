import { JSON } from "json-as";
import { cairn_vdfs_call } from "./env";
import { freeHandle, loadString, storeString } from "./memory";
import { Result, VdfsError } from "./result";

/**
 * The raw answer of one `vdfs_call`: the JSON text of the `ok` value, or the error value.
 */
export class RawResponse {
  constructor(public okJson: string, public error: VdfsError | null) {}
}

/**
 * Sends one request to the host's `cairn.vdfs_call` and returns the raw answer. `method` is a contract
 * operation name (`entries.list`, `models.create`, …) or a runtime method (`job.progress`, `trace`);
 * `payloadJson` is the payload as JSON text, without `libraryId` (the host adds it and checks permissions).
 * Request and response blocks are freed here, so long loops stay inside the host's per-call memory quota.
 *
 * Failure modes come back as values: `PERMISSION_DENIED` (not granted, or outside the granted folders),
 * `VALIDATION` (payload does not match the contract), `UNKNOWN_OPERATION`, `RATE_LIMITED`, `QUOTA_EXCEEDED`.
 *
 * @example
 * const raw = vdfsCallRaw("tags.list", "{}");
 * if (raw.error === null) log.info(raw.okJson);
 */
export function vdfsCallRaw(method: string, payloadJson: string): RawResponse {
  const request = '{"method":' + JSON.stringify(method) + ',"payload":' + payloadJson + "}";
  const req = storeString(request);
  const res = cairn_vdfs_call(req);
  freeHandle(req);
  const text = loadString(res);
  freeHandle(res);
  return parseResponse(text);
}

/** Splits `{"ok":…}` / `{"error":{…}}` (the exact shapes the sandbox writes) without parsing the value twice. */
export function parseResponse(text: string): RawResponse {
  if (text.startsWith('{"ok":') && text.endsWith("}")) {
    return new RawResponse(text.slice(6, text.length - 1), null);
  }
  if (text.startsWith('{"error":') && text.endsWith("}")) {
    return new RawResponse("null", JSON.parse<VdfsError>(text.slice(9, text.length - 1)));
  }
  return new RawResponse("null", VdfsError.of("INTERNAL", "malformed host response: " + text.slice(0, 200)));
}

/**
 * Sends one request and parses the `ok` value as `T` (a `@json` class, string, number, bool, array or
 * `JSON.Raw`). Failed calls return their error value with the zero value of `T`.
 *
 * @example
 * const tags = vdfsCall<Tag[]>("tags.list", "{}");
 */
export function vdfsCall<T>(method: string, payloadJson: string): Result<T> {
  const raw = vdfsCallRaw(method, payloadJson);
  if (raw.error !== null) return Result.from<T>(raw.error!);
  return Result.success<T>(JSON.parse<T>(raw.okJson));
}
