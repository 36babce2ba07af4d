import { CairnError } from '../../src-shared/errors.js';

// Why a hand-written parser: we touch two sections (imports, to refuse imported memory, and memory, to
// rewrite its limits) and must copy every other byte unchanged. wabt's readWasm re-emits the whole module
// (dropping or reordering custom sections, and it needs a feature flag for each proposal a guest may use);
// @webassemblyjs lags the spec (no memory64, no GC types) and is far heavier than the ~150 lines below. The
// binary format of these two sections is small and stable, so owning it is the cheaper and safer choice.

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const LIMITS_HAS_MAX = 0x01;
const LIMITS_SHARED = 0x02;
const LIMITS_MEMORY64 = 0x04;
/** The wasm32 ceiling: 65,536 pages of 64 KiB = 4 GiB. */
export const WASM32_MAX_PAGES = 65_536;

function invalid(message: string): CairnError {
  return new CairnError('VALIDATION', `Invalid extension module: ${message}`);
}

/** A forward-only reader over the module bytes. Every read checks bounds, so truncated input is an error, never a crash. */
class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  byte(): number {
    if (this.pos >= this.end) throw invalid('unexpected end of section');
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128 as a JS number (exact up to 2^53; larger values only ever get rejected or skipped). */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw invalid('LEB128 integer too long');
  }

  /** Skips a signed or unsigned LEB128 of any size (used for heap types, whose value we do not need). */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw invalid('LEB128 integer too long');
  }

  skip(n: number): void {
    if (n > this.end - this.pos) throw invalid('unexpected end of section');
    this.pos += n;
  }

  name(): string {
    const len = this.uleb();
    const start = this.pos;
    this.skip(len);
    return new TextDecoder().decode(this.bytes.subarray(start, start + len));
  }

  /** A value or reference type: one byte, or `ref`/`ref null` (0x64/0x63) followed by a heap type. */
  valType(): void {
    const b = this.byte();
    if (b === 0x63 || b === 0x64) this.skipLeb();
  }

  limits(): { flags: number; min: number; max: number | null } {
    const flags = this.byte();
    const min = this.uleb();
    const max = flags & LIMITS_HAS_MAX ? this.uleb() : null;
    return { flags, min, max };
  }
}

function encodeUleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

/** Walks the import section and refuses any memory import: a host-provided memory would escape our cap. */
function checkImports(r: Reader): void {
  const count = r.uleb();
  for (let i = 0; i < count; i++) {
    const module = r.name();
    const field = r.name();
    const kind = r.byte();
    switch (kind) {
      case 0x00: // function: type index
        r.uleb();
        break;
      case 0x01: // table: reference type + limits
        r.valType();
        r.limits();
        break;
      case 0x02:
        throw invalid(`the module imports its memory ("${module}"."${field}"); extensions must declare their own memory`);
      case 0x03: // global: value type + mutability
        r.valType();
        r.byte();
        break;
      case 0x04: // tag: attribute + type index
        r.byte();
        r.uleb();
        break;
      default:
        throw invalid(`unknown import kind 0x${kind.toString(16)} for "${module}"."${field}"`);
    }
  }
  if (r.pos !== r.end) throw invalid('import section has trailing bytes');
}

/** Reads the memory section and returns its re-encoded payload with every maximum lowered to `maxPages`. */
function rewriteMemorySection(r: Reader, maxPages: number): number[] {
  const count = r.uleb();
  if (count > 1) throw invalid(`the module declares ${count} memories; extensions may declare at most one`);
  const payload = encodeUleb(count);
  for (let i = 0; i < count; i++) {
    const { flags, min, max } = r.limits();
    if (flags & LIMITS_SHARED) throw invalid('the module declares a shared memory; shared memory is not allowed');
    if (flags & LIMITS_MEMORY64) throw invalid('the module declares a 64-bit memory (memory64); only 32-bit memory is allowed');
    if (flags & ~LIMITS_HAS_MAX) throw invalid(`the module's memory has unsupported limit flags 0x${flags.toString(16)}`);
    if (min > maxPages) {
      throw invalid(`the module needs ${min} memory pages at start, more than the cap of ${maxPages} pages (${(maxPages * 64) / 1024} MiB)`);
    }
    const newMax = max === null ? maxPages : Math.min(max, maxPages);
    if (newMax < min) throw invalid(`the module's memory maximum (${newMax}) is below its minimum (${min})`);
    payload.push(LIMITS_HAS_MAX, ...encodeUleb(min), ...encodeUleb(newMax));
  }
  if (r.pos !== r.end) throw invalid('memory section has trailing bytes');
  return payload;
}

/**
 * Caps a wasm module's linear memory by rewriting its memory section before it is compiled.
 *
 * Extism's `memory.maxPages` does not bound a guest's own `memory.grow`, and worker `resourceLimits` do not
 * count wasm memory, so this rewrite is what actually limits a guest. The module's maximum becomes
 * `min(declared max, maxPages)`, or `maxPages` when it declared none; every other byte is copied unchanged.
 * A module without a memory section is returned as is (it has no linear memory to grow).
 *
 * Failure modes (all `CairnError('VALIDATION')`): bytes that are not a wasm core module (bad magic, a
 * component, truncated sections); a module that imports its memory, declares a shared memory, a 64-bit
 * (memory64) memory, more than one memory, or unknown limit flags; an initial size above the cap.
 * It does not otherwise validate the module: compile the result to do that.
 *
 * @example
 * const capped = capWasmMemory(await fs.readFile('plugin.wasm'), 256); // at most 16 MiB of linear memory
 * const module = await WebAssembly.compile(capped);
 */
export function capWasmMemory(wasm: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(maxPages) || maxPages < 1 || maxPages > WASM32_MAX_PAGES) {
    throw new CairnError('VALIDATION', `maxPages must be an integer from 1 to ${WASM32_MAX_PAGES}, got ${maxPages}`);
  }
  if (wasm.length < 8 || WASM_MAGIC.some((b, i) => wasm[i] !== b)) throw invalid('not a WebAssembly binary (bad magic number)');
  const version = new DataView(wasm.buffer, wasm.byteOffset, wasm.byteLength).getUint32(4, true);
  if (version !== 1) throw invalid(`unsupported binary version 0x${version.toString(16)} (components are not supported)`);

  const out: Uint8Array[] = [wasm.subarray(0, 8)];
  const top = new Reader(wasm, 8, wasm.length);
  while (top.pos < wasm.length) {
    const sectionStart = top.pos;
    const id = top.byte();
    const size = top.uleb();
    const payloadStart = top.pos;
    top.skip(size);
    if (id === SECTION_IMPORT) {
      checkImports(new Reader(wasm, payloadStart, top.pos));
      out.push(wasm.subarray(sectionStart, top.pos));
    } else if (id === SECTION_MEMORY) {
      const payload = rewriteMemorySection(new Reader(wasm, payloadStart, top.pos), maxPages);
      out.push(Uint8Array.from([id, ...encodeUleb(payload.length), ...payload]));
    } else {
      out.push(wasm.subarray(sectionStart, top.pos));
    }
  }

  const result = new Uint8Array(out.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of out) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
