// Small helpers over the SDK: paging through models, face ids, settings.
import { JSON } from "json-as";
import { models, ModelDescriptor, ModelQuery, ModelRecord, Result, config } from "cairn-sdk";
import { Settings } from "./models";

/** Every model of a type matching `where` (pages of 500). A failed page ends the walk and is returned. */
export function allOf<T>(desc: ModelDescriptor, where: ModelQuery): Result<ModelRecord<T>[]> {
  const out: ModelRecord<T>[] = [];
  let offset = 0;
  while (true) {
    where.page(offset, 500);
    const page = models.query<T>(desc, where);
    if (!page.ok) return Result.from<ModelRecord<T>[]>(page.error!);
    for (let i = 0; i < page.value.items.length; i++) out.push(page.value.items[i]);
    offset += page.value.items.length;
    if (page.value.items.length == 0 || <f64>offset >= page.value.total) break;
  }
  return Result.success<ModelRecord<T>[]>(out);
}

/** The one model of `desc`'s type on a content, or null. */
export function onContent<T>(desc: ModelDescriptor, contentId: string): ModelRecord<T> | null {
  const r = models.getByContent<T>(desc, contentId);
  if (!r.ok || r.value.length == 0) return null;
  return r.value[0];
}

export function faceId(contentId: string, index: i32): string {
  return contentId + ":" + index.toString();
}

export function faceContent(id: string): string {
  const i = id.lastIndexOf(":");
  return i < 0 ? id : id.substring(0, i);
}

export function faceIndex(id: string): i32 {
  const i = id.lastIndexOf(":");
  return i < 0 ? -1 : I32.parseInt(id.substring(i + 1));
}

export function settings(): Settings {
  return config.settings<Settings>();
}

/** A string field of a JSON object read as a map, or "" (absent, null or not a string). */
export function strField(obj: Map<string, JSON.Raw>, key: string): string {
  if (!obj.has(key)) return "";
  const raw = obj.get(key).toString();
  if (raw.length < 2 || raw.charCodeAt(0) != 34) return "";
  return JSON.parse<string>(raw);
}

/** A number field of a JSON object read as a map, or NaN (absent or null). */
export function numField(obj: Map<string, JSON.Raw>, key: string): f64 {
  if (!obj.has(key)) return NaN;
  const raw = obj.get(key).toString();
  if (raw == "null" || raw.length == 0) return NaN;
  return parseFloat(raw);
}

export function contains(list: string[], value: string): bool {
  for (let i = 0; i < list.length; i++) if (list[i] == value) return true;
  return false;
}

export function without(list: string[], value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) if (list[i] != value) out.push(list[i]);
  return out;
}

export function personTag(name: string): string {
  return "#person:" + name;
}
