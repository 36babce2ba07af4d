import fs from 'node:fs';
import path from 'node:path';
import { MAX_READ_BYTES } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KIND = /^[a-z][a-z0-9_-]{0,39}$/;
const VARIANT = /^[a-z0-9_-]{0,40}$/;
const FORMAT = /^[a-z0-9]{1,8}$/;

/** Which sidecar: a content's derived file of one kind (and variant). */
export interface SidecarKey {
  contentId: string;
  kind: string;
  variant: string;
}

/**
 * Derived files of contents (thumbnails, face crops, OCR text), stored under
 * `<library>/sidecars/<kind>/<first two characters of the content id>/<contentId>[.<variant>].<format>` and
 * recorded in the `sidecars` table, which is the only way they are found again. Writing replaces the file
 * atomically (temporary file, then rename) and records which extension wrote it.
 *
 * Failure modes: `VALIDATION` (malformed key or format, too large), `NOT_FOUND` (unknown content, no such
 * sidecar, file missing), `IO` (disk errors).
 *
 * @example
 * sidecars.write(lib, { contentId, kind: 'ocr', variant: '' }, 'txt', Buffer.from('hello'), 'com.example.ocr');
 * sidecars.read(lib, { contentId, kind: 'ocr', variant: '' }).bytes.toString(); // 'hello'
 */
export class SidecarStore {
  /** Writes (or replaces) a sidecar and returns its size and path relative to `sidecars/`. */
  write(lib: Library, key: SidecarKey, format: string, bytes: Uint8Array, extensionId: string | null): { size: number; relPath: string } {
    checkKey(key);
    if (!FORMAT.test(format)) throw new CairnError('VALIDATION', `Invalid sidecar format ${JSON.stringify(format)}.`);
    if (bytes.length > MAX_READ_BYTES) throw new CairnError('VALIDATION', `A sidecar may have at most ${MAX_READ_BYTES} bytes.`);
    if (!lib.raw.prepare('SELECT 1 FROM content_identities WHERE uuid = ?').get(key.contentId)) {
      throw new CairnError('NOT_FOUND', `No content with id ${key.contentId}.`);
    }
    const relPath = [key.kind, key.contentId.slice(0, 2).toLowerCase(), `${key.contentId}${key.variant ? `.${key.variant}` : ''}.${format}`].join('/');
    const file = path.join(lib.path, 'sidecars', ...relPath.split('/'));
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, file);
    } catch (error) {
      throw new CairnError('IO', `Could not write the sidecar: ${(error as Error).message}`);
    }
    const previous = lib.raw.prepare('SELECT rel_path FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?').get(key.contentId, key.kind, key.variant) as
      | { rel_path: string }
      | undefined;
    lib.raw
      .prepare(
        `INSERT INTO sidecars (content_uuid, kind, variant, rel_path, format, size, extension_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (content_uuid, kind, variant) DO UPDATE SET rel_path = excluded.rel_path, format = excluded.format, size = excluded.size,
           extension_id = excluded.extension_id, created_at = excluded.created_at`,
      )
      .run(key.contentId, key.kind, key.variant, relPath, format, bytes.length, extensionId, new Date().toISOString());
    // A format change leaves the old file behind; remove it.
    if (previous && previous.rel_path !== relPath) fs.rmSync(path.join(lib.path, 'sidecars', ...previous.rel_path.split('/')), { force: true });
    return { size: bytes.length, relPath };
  }

  /** Reads a sidecar recorded in the table. */
  read(lib: Library, key: SidecarKey): { bytes: Buffer; format: string; extensionId: string | null } {
    checkKey(key);
    const row = lib.raw.prepare('SELECT rel_path, format, extension_id FROM sidecars WHERE content_uuid = ? AND kind = ? AND variant = ?').get(key.contentId, key.kind, key.variant) as
      | { rel_path: string; format: string; extension_id: string | null }
      | undefined;
    if (!row) throw new CairnError('NOT_FOUND', `No ${key.kind} sidecar for content ${key.contentId}.`);
    const root = path.join(lib.path, 'sidecars');
    const file = path.resolve(root, row.rel_path);
    if (!file.startsWith(root + path.sep)) throw new CairnError('NOT_FOUND', 'The sidecar path is outside the sidecars folder.');
    let bytes: Buffer;
    try {
      const size = fs.statSync(file).size;
      if (size > MAX_READ_BYTES) throw new CairnError('VALIDATION', `The sidecar has ${size} bytes; at most ${MAX_READ_BYTES} can be read at once.`);
      bytes = fs.readFileSync(file);
    } catch (error) {
      if (error instanceof CairnError) throw error;
      throw new CairnError('NOT_FOUND', `The sidecar file is missing: ${(error as Error).message}`);
    }
    return { bytes, format: row.format, extensionId: row.extension_id };
  }
}

function checkKey(key: SidecarKey): void {
  if (!UUID.test(key.contentId) || !KIND.test(key.kind) || !VARIANT.test(key.variant)) {
    throw new CairnError('VALIDATION', 'Invalid sidecar key (content id, kind or variant).');
  }
}
