import { ExtensionId } from '../../src-shared/extensions/manifest.js';
import { extensionLogFolder, RotatingJsonl, type RotationOptions } from '../logs/rotating-jsonl.js';

/** One line of an extension's audit trail. */
export interface AuditRecord {
  method: string;
  code: string;
  message: string;
  /** The capability that was missing, when a capability check failed. */
  capability?: string | undefined;
}

export type AuditTrailOptions = RotationOptions;

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
