import fs from 'node:fs';
import path from 'node:path';

/** Rotation settings: the live file grows to `maxBytes`, then shifts to `.1`, `.2`, … keeping `files` in all. */
export interface RotationOptions {
  maxBytes: number;
  files: number;
}

/**
 * An append-only JSON-lines file rotated by size: `<folder>/<base>.jsonl`, then `<base>.1.jsonl`,
 * `<base>.2.jsonl`, the oldest dropped. Appends are synchronous, so a line is on disk before the caller
 * goes on. Write errors are swallowed and counted: logging must never turn into a crash.
 *
 * @example
 * const log = new RotatingJsonl('/lib/logs/extension/com.example.x', 'extension', { maxBytes: 1 << 20, files: 3 });
 * log.append({ level: 'info', text: 'hello' });
 */
export class RotatingJsonl {
  readonly folder: string;
  readonly #base: string;
  readonly #options: RotationOptions;
  /** Appends that failed (disk full, permissions). */
  failures = 0;

  constructor(folder: string, base: string, options: RotationOptions) {
    this.folder = folder;
    this.#base = base;
    this.#options = options;
  }

  /** The live file. */
  get file(): string {
    return this.#name(0);
  }

  /** Appends one JSON line, rotating first when the live file would pass `maxBytes`. */
  append(record: object): void {
    const line = `${JSON.stringify(record)}\n`;
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

  /** Every line still kept, oldest first, parsed; lines that are not JSON objects are skipped. */
  read<T>(): T[] {
    return readRotatedJsonl<T>(this.folder, this.#base).records;
  }

  #name(i: number): string {
    return path.join(this.folder, i === 0 ? `${this.#base}.jsonl` : `${this.#base}.${i}.jsonl`);
  }

  #rotate(): void {
    fs.rmSync(this.#name(this.#options.files - 1), { force: true });
    for (let i = this.#options.files - 2; i >= 0; i--) if (fs.existsSync(this.#name(i))) fs.renameSync(this.#name(i), this.#name(i + 1));
  }
}

/** Where an extension's logs live in a library: `<library>/logs/extension/<id>/`. */
export function extensionLogFolder(libraryPath: string, extensionId: string): string {
  return path.join(libraryPath, 'logs', 'extension', extensionId);
}

/** What {@link readRotatedJsonl} found: the records oldest first, and how many lines it could not parse. */
export interface RotatedRead<T> {
  records: T[];
  /** Lines that were not a JSON object (a write cut short by a crash, a hand edit): skipped, not fatal. */
  skipped: number;
}

/**
 * Reads every file of a rotated JSON-lines log, `<base>.jsonl` and whatever `<base>.<n>.jsonl` files exist
 * (whatever rotation setting wrote them), oldest first. A line that does not parse as a JSON object is
 * skipped and counted. A missing folder reads as empty; a folder that cannot be read throws the fs error.
 *
 * @example
 * const { records, skipped } = readRotatedJsonl<{ at: string }>('/lib/logs/extension/com.example.x', 'trail');
 */
export function readRotatedJsonl<T>(folder: string, base: string): RotatedRead<T> {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: 0 };
    throw error;
  }
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escaped}(?:\\.(\\d{1,6}))?\\.jsonl$`);
  const files = names
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
    .map((f) => ({ name: f.name, n: f.match[1] === undefined ? 0 : Number(f.match[1]) }))
    .sort((a, b) => b.n - a.n);
  const records: T[] = [];
  let skipped = 0;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(folder, file.name), 'utf8');
    } catch (error) {
      // Rotated away between the listing and the read.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) records.push(value as T);
        else skipped++;
      } catch {
        skipped++;
      }
    }
  }
  return { records, skipped };
}
