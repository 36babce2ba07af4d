import { buildGuest } from '../../sandbox/testing/guest-wat.js';

// Constant strings of the guest, laid out from address 0 (must stay below INPUT).
const STRINGS = {
  CP_NULL: '"checkpoint":null',
  CID: '"contentId":"',
  INPUT: '"input":"',
  PROGRESS_LISTING: '{"method":"job.progress","payload":{"indeterminate":true,"message":"listing"}}',
  CHECKPOINT_CALL: '{"method":"job.checkpoint","payload":{"state":{"phase":0}}}',
  INTERRUPTED_CALL: '{"method":"job.isInterrupted","payload":{}}',
  LIST: '{"method":"entries.list","payload":{"limit":1000}}',
  OUT_HEAD: '{"checkpoint":{"phase":1},"progress":{"completed":0,"total":1},"tasks":[',
  TASK_A: '{"key":"',
  TASK_B: '","task":"analyze_one","input":"',
  TASK_C: '"}',
  COMMA: ',',
  OUT_TAIL: '],"done":false}',
  PROGRESS_DONE: '{"method":"job.progress","payload":{"completed":1,"total":1}}',
  DONE: '{"done":true}',
  M1: '{"method":"models.createForContent","payload":{"contentId":"',
  M2: '","type":"PhotoAnalysis","key":"',
  M3: '","data":{"label":"auto","embedding":[0.5,0.25,0.125,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}}}',
  T1: '{"method":"tags.addToContent","payload":{"contentIds":["',
  T2: '"],"tagPath":"Auto/Analyzed"}}',
  R1: '{"done":"',
  R2: '"}',
} as const;

const INPUT = 4096; // call input
const BUILD = 16384; // requests and outputs being built
const RESPONSE = 32768; // vdfs_call responses

function layout(): { data: string; ref: Record<keyof typeof STRINGS, string> } {
  let offset = 0;
  const data: string[] = [];
  const ref = {} as Record<keyof typeof STRINGS, string>;
  for (const [name, text] of Object.entries(STRINGS) as [keyof typeof STRINGS, string][]) {
    const bytes = Buffer.from(text, 'utf8');
    data.push(`(data (i32.const ${offset}) "${[...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('')}")`);
    ref[name] = `(i32.const ${offset}) (i32.const ${bytes.length})`;
    offset += bytes.length;
  }
  if (offset > INPUT) throw new Error('guest strings overflow into the input buffer');
  return { data: data.join('\n'), ref };
}

/**
 * A WAT test extension that implements the step protocol of extension jobs (see extension-job.ts):
 *
 * - `job_analyze`, first step (checkpoint null): reports progress, calls `job.checkpoint`, lists the entries
 *   it can see (`entries.list`) and asks for one `analyze_one` task per content id (`"contentId":"<uuid>"`
 *   found in the response), with checkpoint `{phase: 1}`; later steps report progress and return `done`.
 * - `task_analyze_one`: creates a content-scoped `PhotoAnalysis` model with a blob field (`embedding`, moved
 *   out of data by the manifest), keyed by the content id so a rerun adds no duplicate, then tags the content
 *   `Auto/Analyzed`. A failing host call becomes the task's error (`error_set`).
 *
 * @example
 * const wasm = await buildAnalyzeGuest();
 */
export function buildAnalyzeGuest(): Promise<Uint8Array> {
  const { data, ref } = layout();
  return buildGuest(
    `
  ${data}
  (global $out (mut i32) (i32.const 0))
  (func $copy (param $d i32) (param $s i32) (param $n i32)
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (local.get $d) (local.get $i)) (i32.load8_u (i32.add (local.get $s) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next))))
  (func $emit (param $p i32) (param $n i32)
    (call $copy (i32.add (i32.const ${BUILD}) (global.get $out)) (local.get $p) (local.get $n))
    (global.set $out (i32.add (global.get $out) (local.get $n))))
  (func $find (param $hay i32) (param $len i32) (param $needle i32) (param $nlen i32) (param $from i32) (result i32)
    (local $i i32) (local $j i32)
    (local.set $i (local.get $from))
    (block $none (loop $outer
      (br_if $none (i32.gt_s (i32.add (local.get $i) (local.get $nlen)) (local.get $len)))
      (local.set $j (i32.const 0))
      (block $mismatch (loop $inner
        (if (i32.ge_u (local.get $j) (local.get $nlen)) (then (return (local.get $i))))
        (br_if $mismatch (i32.ne (i32.load8_u (i32.add (local.get $hay) (i32.add (local.get $i) (local.get $j))))
                                  (i32.load8_u (i32.add (local.get $needle) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $inner)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $outer)))
    (i32.const -1))
  (func $send (result i32)
    (local $len i32)
    (local.set $len (call $from_extism (call $vdfs_call (call $to_extism (i32.const ${BUILD}) (global.get $out))) (i32.const ${RESPONSE})))
    (global.set $out (i32.const 0))
    (local.get $len))
  (func $is_ok (result i32) (i32.eq (i32.load8_u (i32.const ${RESPONSE + 2})) (i32.const 111)))
  (func $fail (param $len i32) (result i32)
    (call $error_set (call $to_extism (i32.const ${RESPONSE}) (local.get $len)))
    (i32.const 1))
  (func $finish (result i32)
    (call $output (i32.const ${BUILD}) (global.get $out))
    (global.set $out (i32.const 0))
    (i32.const 0))

  (func (export "job_analyze") (result i32)
    (local $in i32) (local $len i32) (local $pos i32) (local $first i32)
    (local.set $in (call $input_to (i32.const ${INPUT})))
    (if (i32.ge_s (call $find (i32.const ${INPUT}) (local.get $in) ${ref.CP_NULL} (i32.const 0)) (i32.const 0))
      (then
        (call $emit ${ref.PROGRESS_LISTING}) (drop (call $send))
        (call $emit ${ref.CHECKPOINT_CALL}) (drop (call $send))
        (call $emit ${ref.INTERRUPTED_CALL}) (drop (call $send))
        (call $emit ${ref.LIST}) (local.set $len (call $send))
        (if (i32.eqz (call $is_ok)) (then (return (call $fail (local.get $len)))))
        (call $emit ${ref.OUT_HEAD})
        (local.set $first (i32.const 1))
        (block $done (loop $next
          (local.set $pos (call $find (i32.const ${RESPONSE}) (local.get $len) ${ref.CID} (local.get $pos)))
          (br_if $done (i32.lt_s (local.get $pos) (i32.const 0)))
          (local.set $pos (i32.add (local.get $pos) (i32.const ${Buffer.byteLength(STRINGS.CID)})))
          (if (i32.eqz (local.get $first)) (then (call $emit ${ref.COMMA})))
          (local.set $first (i32.const 0))
          (call $emit ${ref.TASK_A}) (call $emit (i32.add (i32.const ${RESPONSE}) (local.get $pos)) (i32.const 36))
          (call $emit ${ref.TASK_B}) (call $emit (i32.add (i32.const ${RESPONSE}) (local.get $pos)) (i32.const 36))
          (call $emit ${ref.TASK_C})
          (br $next)))
        (call $emit ${ref.OUT_TAIL})
        (return (call $finish))))
    (call $emit ${ref.PROGRESS_DONE}) (drop (call $send))
    (call $emit ${ref.DONE})
    (call $finish))

  (func (export "task_analyze_one") (result i32)
    (local $in i32) (local $c i32) (local $len i32)
    (local.set $in (call $input_to (i32.const ${INPUT})))
    (local.set $c (call $find (i32.const ${INPUT}) (local.get $in) ${ref.INPUT} (i32.const 0)))
    (if (i32.lt_s (local.get $c) (i32.const 0)) (then (unreachable)))
    (local.set $c (i32.add (i32.const ${INPUT}) (i32.add (local.get $c) (i32.const ${Buffer.byteLength(STRINGS.INPUT)}))))
    (call $emit ${ref.M1}) (call $emit (local.get $c) (i32.const 36))
    (call $emit ${ref.M2}) (call $emit (local.get $c) (i32.const 36))
    (call $emit ${ref.M3})
    (local.set $len (call $send))
    (if (i32.eqz (call $is_ok)) (then (return (call $fail (local.get $len)))))
    (call $emit ${ref.T1}) (call $emit (local.get $c) (i32.const 36)) (call $emit ${ref.T2})
    (local.set $len (call $send))
    (if (i32.eqz (call $is_ok)) (then (return (call $fail (local.get $len)))))
    (call $emit ${ref.R1}) (call $emit (local.get $c) (i32.const 36)) (call $emit ${ref.R2})
    (call $finish))
`,
    '(memory (export "memory") 8)',
  );
}
