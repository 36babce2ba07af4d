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

  /** Every line still kept, oldest first, parsed. */
  read<T>(): T[] {
    const files = [];
    for (let i = this.#options.files - 1; i >= 0; i--) files.push(this.#name(i));
    return files.flatMap((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T) : []));
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
