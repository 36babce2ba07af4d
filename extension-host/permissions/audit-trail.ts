import type { ExtensionActivityItem, ExtensionActivityPage } from '../../src-shared/contract/extensions.js';
import { ExtensionId } from '../../src-shared/extensions/manifest.js';
import { extensionLogFolder, readRotatedJsonl, RotatingJsonl, type RotationOptions } from '../logs/rotating-jsonl.js';

/** The `code` of an allowed call in the trail; anything else is a denial. */
export const AUDIT_ALLOWED = 'OK';

/** One line of an extension's audit trail. */
export interface AuditRecord {
  method: string;
  /** {@link AUDIT_ALLOWED} for an allowed write, else the error code of the denial. */
  code: string;
  message: string;
  /** The capability that was missing, when a capability check failed. */
  capability?: string | undefined;
}

export type AuditTrailOptions = RotationOptions;

export const DEFAULT_AUDIT_ROTATION: Readonly<AuditTrailOptions> = Object.freeze({ maxBytes: 1024 * 1024, files: 3 });

/**
 * An extension's audit trail: its denials and the writes it was allowed (`code: 'OK'`), in
 * `<library>/logs/extension/<id>/trail.jsonl`, one JSON object per line
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
  readonly #extensionId: string;
  readonly #log: RotatingJsonl;

  constructor(libraryPath: string, extensionId: string, options: AuditTrailOptions = DEFAULT_AUDIT_ROTATION) {
    ExtensionId.parse(extensionId);
    this.#extensionId = extensionId;
    this.#log = new RotatingJsonl(extensionLogFolder(libraryPath, extensionId), 'trail', options);
  }

  get folder(): string {
    return this.#log.folder;
  }

  /** The live file. */
  get file(): string {
    return this.#log.file;
  }

  /** Appends that failed (disk full, permissions). */
  get failures(): number {
    return this.#log.failures;
  }

  /** Appends one record, rotating first when the live file would pass `maxBytes`. */
  append(record: AuditRecord): void {
    this.#log.append({ at: new Date().toISOString(), extensionId: this.#extensionId, ...record });
  }

  /** Every record still kept, oldest first. */
  read(): (AuditRecord & { at: string; extensionId: string })[] {
    return this.#log.read();
  }
}

/** Paging for {@link readAuditActivity}. */
export interface ActivityQuery {
  offset: number;
  limit: number;
  deniedOnly: boolean;
}

/**
 * Reads an extension's audit trail across all its rotated files (`trail.jsonl`, `trail.1.jsonl`, …) and
 * returns one page of it, newest first. Lines that are not JSON objects, or lack a string `method` or `code`,
 * are skipped and counted in `skipped` (a line cut short by a crash must not hide the rest).
 *
 * Failure modes: throws for an id that is not a valid extension id (it names a folder), and the fs error when
 * the folder exists but cannot be read. A trail that does not exist yet reads as empty.
 *
 * @example
 * readAuditActivity(lib.path, 'com.example.photos', { offset: 0, limit: 20, deniedOnly: true })
 * // → { items: [{ at, method: 'entries.list', allowed: false, code: 'PERMISSION_DENIED', … }], total: 3, skipped: 0 }
 */
export function readAuditActivity(libraryPath: string, extensionId: string, query: ActivityQuery): ExtensionActivityPage {
  ExtensionId.parse(extensionId);
  const { records, skipped } = readRotatedJsonl<Record<string, unknown>>(extensionLogFolder(libraryPath, extensionId), 'trail');
  let bad = skipped;
  const items: ExtensionActivityItem[] = [];
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i]!;
    if (typeof r.method !== 'string' || typeof r.code !== 'string') {
      bad++;
      continue;
    }
    const allowed = r.code === AUDIT_ALLOWED;
    if (query.deniedOnly && allowed) continue;
    items.push({
      at: typeof r.at === 'string' ? r.at : '',
      method: r.method,
      allowed,
      code: r.code,
      message: typeof r.message === 'string' ? r.message : '',
      capability: typeof r.capability === 'string' ? r.capability : null,
    });
  }
  return { items: items.slice(query.offset, query.offset + query.limit), total: items.length, skipped: bad };
}
