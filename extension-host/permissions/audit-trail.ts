import fs from 'node:fs';
import path from 'node:path';
import { ExtensionId } from '../../src-shared/extensions/manifest.js';

/** One line of an extension's audit trail. */
export interface AuditRecord {
  method: string;
  code: string;
  message: string;
  /** The capability that was missing, when a capability check failed. */
  capability?: string | undefined;
}

/** Rotation settings: the live file grows to `maxBytes`, then shifts to `.1`, `.2`, … keeping `files` in all. */
export interface AuditTrailOptions {
  maxBytes: number;
  files: number;
}

export const DEFAULT_AUDIT_ROTATION: Readonly<AuditTrailOptions> = Object.freeze({ maxBytes: 1024 * 1024, files: 3 });

/**
 * An extension's audit trail: `<library>/logs/extension/<id>/trail.jsonl`, one JSON object per line
 * (`{at, extensionId, method, code, message, capability?}`), rotated by size (`trail.1.jsonl`, `trail.2.jsonl`,
 * the oldest dropped). Writes are synchronous appends, so they happen before the denied call returns.
 *
 * Failure modes: the constructor throws for an id that is not a valid extension id (it becomes a folder
 * name); write errors are swallowed (an audit failure must not turn a denial into a crash) and counted.
 *
 * @example
 * const trail = new AuditTrail(lib.path, 'com.example.photos');
 * trail.append({ method: 'library.delete', code: 'PERMISSION_DENIED', message: 'not allowed' });
 */
export class AuditTrail {
  readonly folder: string;
  readonly #extensionId: string;
  readonly #options: AuditTrailOptions;
  /** Appends that failed (disk full, permissions). */
  failures = 0;

  constructor(libraryPath: string, extensionId: string, options: AuditTrailOptions = DEFAULT_AUDIT_ROTATION) {
    ExtensionId.parse(extensionId);
    this.#extensionId = extensionId;
    this.#options = options;
    this.folder = path.join(libraryPath, 'logs', 'extension', extensionId);
  }

  /** The live file. */
  get file(): string {
    return path.join(this.folder, 'trail.jsonl');
  }

  /** Appends one record, rotating first when the live file would pass `maxBytes`. */
  append(record: AuditRecord): void {
    const line = `${JSON.stringify({ at: new Date().toISOString(), extensionId: this.#extensionId, ...record })}\n`;
    try {
      fs.mkdirSync(this.folder, { recursive: true });
      let size = 0;
      try {
        size = fs.statSync(this.file).size;
      } catch {
        // no file yet
      }
      if (size > 0 && size + Buffer.byteLength(line) > this.#options.maxBytes) this.#rotate();
      fs.appendFileSync(this.file, line);
    } catch {
      this.failures++;
    }
  }

  /** Every record still kept, oldest first. */
  read(): (AuditRecord & { at: string; extensionId: string })[] {
    const files = [];
    for (let i = this.#options.files - 1; i >= 1; i--) files.push(path.join(this.folder, `trail.${i}.jsonl`));
    files.push(this.file);
    return files.flatMap((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord & { at: string; extensionId: string }) : []));
  }

  #rotate(): void {
    const name = (i: number) => path.join(this.folder, i === 0 ? 'trail.jsonl' : `trail.${i}.jsonl`);
    fs.rmSync(name(this.#options.files - 1), { force: true });
    for (let i = this.#options.files - 2; i >= 0; i--) if (fs.existsSync(name(i))) fs.renameSync(name(i), name(i + 1));
  }
}
