import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LibrarySummary } from '../../../src-shared/contract/index.js';
import { CairnError, toWireError } from '../../../src-shared/errors.js';
import type { CairnHome } from '../home/cairn-home.js';
import type { EventBus } from '../events/event-bus.js';
import { LIBRARY_DB, Library } from './library.js';

/** A library the home knows about, open or not. `problem` says why it could not be opened. */
export type KnownLibrary = LibrarySummary;

export const DEFAULT_LIBRARY_NAME = 'My Library';

/**
 * Creates, opens, lists, renames and deletes libraries within a {@link CairnHome}, and keeps the open
 * ones cached so every caller shares one connection per library per process.
 *
 * @example
 * const manager = new LibraryManager(home, events);
 * const lib = await manager.create('Holidays');
 * const same = await manager.get(lib.id);
 */
export class LibraryManager {
  readonly #home: CairnHome;
  readonly #events: EventBus;
  readonly #open = new Map<string, Library>();
  readonly #willClose: ((lib: Library) => Promise<void>)[] = [];
  /** Folder → id for everything found on the last scan (including libraries that failed to open). */
  #pathsById = new Map<string, string>();

  constructor(home: CairnHome, events: EventBus) {
    this.#home = home;
    this.#events = events;
  }

  /** Registers work to finish before a library closes (e.g. stopping its job scheduler). */
  onWillClose(hook: (lib: Library) => Promise<void>): void {
    this.#willClose.push(hook);
  }

  async #close(lib: Library): Promise<void> {
    for (const hook of this.#willClose) await hook(lib);
    await lib.close();
  }

  /**
   * On first run (no config and no libraries yet) creates "My Library" and makes it the default, so the
   * app is useful with zero configuration. Returns the default library, if any.
   */
  async ensureDefault(): Promise<Library | null> {
    const list = await this.list();
    if (list.length === 0 && this.#home.isFirstRun) {
      const lib = await this.create(DEFAULT_LIBRARY_NAME);
      return lib;
    }
    const def = list.find((l) => l.isDefault && l.problem === null) ?? list.find((l) => l.problem === null);
    return def ? this.get(def.id) : null;
  }

  /** Lists every known library. A library that cannot be opened is listed with its `problem`. */
  async list(): Promise<KnownLibrary[]> {
    this.#home.reload();
    const folders = new Set<string>();
    for (const name of safeReaddir(this.#home.librariesDir)) {
      const folder = path.join(this.#home.librariesDir, name);
      if (fs.existsSync(path.join(folder, LIBRARY_DB))) folders.add(folder);
    }
    for (const external of this.#home.config.externalLibraries) folders.add(path.resolve(external));

    const result: KnownLibrary[] = [];
    const pathsById = new Map<string, string>();
    for (const folder of [...folders].sort()) {
      try {
        const lib = await this.#openFolder(folder);
        pathsById.set(lib.id, folder);
        result.push(this.summarize(lib));
      } catch (error) {
        const id = idFromFolderName(folder);
        pathsById.set(id, folder);
        result.push({
          id,
          name: path.basename(folder),
          path: folder,
          createdAt: '',
          isDefault: false,
          problem: toWireError(error).message,
        });
      }
    }
    this.#pathsById = pathsById;
    return result.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /** Returns the open library with this id. Fails with `NOT_FOUND`, or with the reason it cannot open. */
  async get(id: string): Promise<Library> {
    const open = this.#open.get(id);
    if (open && !open.isClosed) return open;
    if (!this.#pathsById.has(id)) await this.list();
    const folder = this.#pathsById.get(id);
    if (!folder) throw new CairnError('NOT_FOUND', `No library with id ${id}.`);
    const lib = await this.#openFolder(folder);
    if (lib.id !== id) throw new CairnError('NOT_FOUND', `No library with id ${id}.`);
    return lib;
  }

  /** The library with this id if it is open in this process, without opening anything. */
  peek(id: string): Library | undefined {
    const lib = this.#open.get(id);
    return lib && !lib.isClosed ? lib : undefined;
  }

  /** Creates a library under `<home>/libraries/<id>`. The first library becomes the default. */
  async create(name: string): Promise<Library> {
    const id = randomUUID();
    const lib = await Library.create(path.join(this.#home.librariesDir, id), { name, id });
    this.#open.set(lib.id, lib);
    this.#pathsById.set(lib.id, lib.path);
    if (!this.#home.config.defaultLibraryId) this.#home.update((c) => ({ ...c, defaultLibraryId: lib.id }));
    this.#events.emit('library.onDidChange', { libraryId: lib.id });
    return lib;
  }

  /**
   * Adds an existing library folder (anywhere on disk) to this home's list.
   * Fails like {@link Library.open}; a folder that is already listed is `CONFLICT`.
   */
  async openExisting(folder: string): Promise<Library> {
    const abs = path.resolve(folder);
    const lib = await Library.open(abs);
    const already = this.#open.get(lib.id);
    if (already && !already.isClosed) {
      await lib.close();
      throw new CairnError('CONFLICT', `The library "${already.name}" is already in the list (${already.path}).`);
    }
    this.#open.set(lib.id, lib);
    this.#pathsById.set(lib.id, abs);
    if (path.dirname(abs) !== this.#home.librariesDir) {
      this.#home.update((c) => ({ ...c, externalLibraries: [...new Set([...c.externalLibraries, abs])] }));
    }
    this.#events.emit('library.onDidChange', { libraryId: lib.id });
    return lib;
  }

  async rename(id: string, name: string): Promise<Library> {
    const lib = await this.get(id);
    await lib.rename(name);
    this.#events.emit('library.onDidChange', { libraryId: id });
    return lib;
  }

  async setDefault(id: string): Promise<Library> {
    const lib = await this.get(id);
    this.#home.update((c) => ({ ...c, defaultLibraryId: id }));
    this.#events.emit('library.onDidChange', { libraryId: id });
    return lib;
  }

  /**
   * Deletes a library's folder (its database, sidecars and logs; never the user's indexed files).
   * `confirm` must equal the library's name, otherwise `CONFIRMATION_REQUIRED` and nothing happens.
   */
  async delete(id: string, confirm: string): Promise<void> {
    const lib = await this.get(id);
    if (confirm !== lib.name) {
      throw new CairnError(
        'CONFIRMATION_REQUIRED',
        `To delete the library "${lib.name}", pass its exact name as confirmation.`,
      );
    }
    const folder = lib.path;
    await this.#close(lib);
    this.#open.delete(id);
    this.#pathsById.delete(id);
    // Only ever remove a folder that is recognisably a library.
    if (fs.existsSync(path.join(folder, LIBRARY_DB))) fs.rmSync(folder, { recursive: true, force: true });
    this.#home.update((c) => ({
      ...c,
      defaultLibraryId: c.defaultLibraryId === id ? null : c.defaultLibraryId,
      externalLibraries: c.externalLibraries.filter((p) => path.resolve(p) !== folder),
    }));
    this.#events.emit('library.onDidChange', { libraryId: null });
  }

  summarize(lib: Library): LibrarySummary {
    return {
      id: lib.id,
      name: lib.name,
      path: lib.path,
      createdAt: lib.createdAt,
      isDefault: this.#home.config.defaultLibraryId === lib.id,
      problem: null,
    };
  }

  /** Closes every open library. */
  async closeAll(): Promise<void> {
    const libs = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(libs.map((l) => this.#close(l)));
  }

  async #openFolder(folder: string): Promise<Library> {
    for (const lib of this.#open.values()) if (lib.path === folder && !lib.isClosed) return lib;
    const lib = await Library.open(folder);
    const clash = this.#open.get(lib.id);
    if (clash && !clash.isClosed) {
      await lib.close();
      return clash;
    }
    this.#open.set(lib.id, lib);
    return lib;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Library folders under the home are named by id; anything else gets a stable id derived from its path. */
function idFromFolderName(folder: string): string {
  const base = path.basename(folder);
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(base)) return base.toLowerCase();
  const h = createHash('sha256').update(folder).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
