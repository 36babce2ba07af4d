// Benchmark guest: the same host call made through the typed SDK and raw, and model JSON round trips.
import { JSON } from "json-as";
// AssemblyScript needs a value import for types used in generic arguments.
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
import { Host, tags, vdfsCallRaw, ModelDescriptor, ModelRecord } from "cairn-sdk";

@json
class BenchNote {
  static readonly MODEL: ModelDescriptor = new ModelDescriptor("BenchNote", "content", "shared", []);
  label: string = "";
  name: string = "";
  size: f64 = 0;
  tags: string[] = [];
  score: f64 = 0;
}

@json
class N { n: i32 = 0; }

export function task_typed(): i32 {
  const n = Host.input<N>().n;
  let total = 0;
  for (let i = 0; i < n; i++) total += tags.list().value.length;
  Host.outputString(total.toString());
  return 0;
}

export function task_raw(): i32 {
  const n = Host.input<N>().n;
  let total = 0;
  for (let i = 0; i < n; i++) total += vdfsCallRaw("tags.list", "{}").okJson.length;
  Host.outputString(total.toString());
  return 0;
}

const RECORD = '{"id":"5b0c3a4e-1d2f-4a5b-8c6d-7e8f9a0b1c2d","extensionId":"com.cairn.bench-sdk","type":"BenchNote","scope":"content","entryId":null,"contentId":"6c1d4b5f-2e3a-4b6c-9d7e-8f9a0b1c2d3e","data":{"label":"cat","name":"Grüße.jpg","size":123456,"tags":["a","b","c"],"score":0.875},"blobFields":[],"syncStrategy":"shared","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}';

export function task_json(): i32 {
  const n = Host.input<N>().n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const rec = JSON.parse<ModelRecord<BenchNote>>(RECORD);
    total += JSON.stringify<BenchNote>(rec.data).length;
  }
  Host.outputString(total.toString());
  return 0;
}
