import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import zlib from 'node:zlib';
import { pack, type PackageParts } from '../pack.js';

/** The smallest module the sandbox accepts: its own memory and one export. */
export async function tinyWasm(): Promise<Uint8Array> {
  const wabt = await (await import('wabt')).default();
  const module = wabt.parseWat('m.wat', '(module (memory 1) (func (export "run") (result i32) i32.const 0))');
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** A valid manifest for tests; `overrides` replace top-level fields. */
export function testManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'com.example.hello',
    name: 'Hello',
    version: '1.0.0',
    publisher: 'Example',
    description: 'A test extension',
    min_core_version: '0.1.0',
    required_features: ['models'],
    permissions: [
      { type: 'ReadEntries', reason: 'to read your photos' },
      { type: 'WriteModels', reason: 'to store what it finds' },
      { type: 'WriteTags', reason: 'to tag what it finds', optional: true },
    ],
    settings: {
      threshold: { type: 'number', label: 'Threshold', default: 0.5, min: 0, max: 1 },
      mode: { type: 'enum', label: 'Mode', options: ['fast', 'careful'], default: 'fast' },
      verbose: { type: 'boolean', label: 'Verbose', default: false },
    },
    models: [{ type: 'PhotoNote', scope: 'content' }],
    jobs: [{ name: 'analyze' }],
    ...overrides,
  };
}

/** Packs a test extension: the manifest with `overrides`, the tiny module, and any extra parts. */
export async function testPackage(overrides: Record<string, unknown> = {}, extra: Partial<PackageParts> = {}, signingKey?: KeyObject): Promise<Buffer> {
  return pack({ manifest: testManifest(overrides), wasm: await tinyWasm(), ...extra }, signingKey ? { signingKey } : {});
}

export function testKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

/** One entry of a hand-made zip. */
export interface RawEntry {
  name: string;
  data?: Buffer;
  /** 0 stored, 8 deflate (default 8). */
  method?: 0 | 8;
  /** Lie about the uncompressed size in both headers. */
  declaredSize?: number;
  /** Unix mode for the external attributes (e.g. 0o120777 for a symlink). */
  unixMode?: number;
}

/**
 * Writes a zip by hand, so tests can build archives a well-behaved writer (yazl) refuses to make:
 * `../` names, absolute paths, backslashes, symlinks, duplicates, lying sizes.
 */
export function rawZip(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    const method = e.method ?? 8;
    const body = method === 8 ? zlib.deflateRawSync(data) : data;
    const name = Buffer.from(e.name, 'utf8');
    const crc = zlib.crc32(data);
    const size = e.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.unixMode ?? (e.name.endsWith('/') ? 0o040755 : 0o100644)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
