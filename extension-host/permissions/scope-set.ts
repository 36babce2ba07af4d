import path from 'node:path';
import type { FileScope } from '../../src-shared/extensions/manifest.js';

/** One granted permission's reach: folders (location + subpath) and, for ReadEntries, a glob over files. */
export interface ScopeRule {
  scopes: FileScope[];
  /** Glob matched against the path relative to the location's root; null matches everything. */
  glob: string | null;
}

const MATCH_ALL = new Set(['**', '**/*']);
const CACHE_LIMIT = 50_000;

/**
 * The folders a set of grants reaches, and the question "may this path be touched?". A path is covered when
 * it lies in a granted folder of its location (`subpath` itself or below it) and, for files, matches the
 * permission's glob (`**` and `**\/*` match every file, dotfiles included). Folders only need to lie in a
 * granted folder, so they can be browsed. Paths are `/`-separated and relative to the location's root.
 *
 * Globs are compiled once to a RegExp by {@link compileGlob} (`*`, `**`, `?`, `{a,b}`, `[...]`; dotfiles match like
 * any file). Node's `path.matchesGlob` is experimental and ~80 µs a call, and neither picomatch nor minimatch is a
 * direct dependency of this project. Results are cached per path.
 *
 * @example
 * const set = new ScopeSet([{ scopes: [{ locationId, subpath: 'photos' }], glob: '**\/*.jpg' }]);
 * set.covers(locationId, 'photos/2024/cat.jpg', 'file'); // true
 * set.covers(locationId, 'docs/cv.pdf', 'file');         // false
 */
export class ScopeSet {
  readonly #rules: { locationId: string; subpath: string; glob: RegExp | null }[];
  readonly #cache = new Map<string, boolean>();

  constructor(rules: ScopeRule[]) {
    this.#rules = rules.flatMap((r) =>
      r.scopes.flatMap((s) => {
        const subpath = normaliseSubpath(s.subpath);
        return subpath === null ? [] : [{ locationId: s.locationId, subpath, glob: r.glob === null || MATCH_ALL.has(r.glob) ? null : compileGlob(r.glob) }];
      }),
    );
  }

  /** True when nothing is granted. */
  get isEmpty(): boolean {
    return this.#rules.length === 0;
  }

  /** Location ids that some rule reaches. */
  get locationIds(): Set<string> {
    return new Set(this.#rules.map((r) => r.locationId));
  }

  /** Whether `relPath` (relative to the location root, `/`-separated, '' for the root) is covered. */
  covers(locationId: string, relPath: string, kind: 'file' | 'dir' | 'symlink' = 'file'): boolean {
    const key = `${locationId}\0${kind === 'dir' ? 'd' : 'f'}\0${relPath}`;
    const known = this.#cache.get(key);
    if (known !== undefined) return known;
    const result = this.#covers(locationId, relPath, kind);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(key, result);
    return result;
  }

  #covers(locationId: string, relPath: string, kind: 'file' | 'dir' | 'symlink'): boolean {
    const rel = path.posix.normalize(relPath || '.');
    if (rel === '..' || rel.startsWith('../') || path.posix.isAbsolute(rel)) return false;
    const clean = rel === '.' ? '' : rel.replace(/\/$/, '');
    for (const rule of this.#rules) {
      if (rule.locationId !== locationId) continue;
      const inside = rule.subpath === '' || clean === rule.subpath || clean.startsWith(`${rule.subpath}/`);
      if (!inside) continue;
      if (kind === 'dir' || rule.glob === null || rule.glob.test(clean)) return true;
    }
    return false;
  }
}

/**
 * Compiles a glob over `/`-separated relative paths to an anchored RegExp: `*` matches within one path part,
 * `**` any number of parts (`**\/` also none), `?` one character, `{a,b}` alternatives (which may hold globs),
 * `[...]` a character class. Everything else is literal.
 *
 * @example
 * compileGlob('**\/*.{jpg,png}').test('2024/cat.jpg') // true
 */
export function compileGlob(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`);
}

function globSource(glob: string): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else {
          re += '.*';
        }
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) {
        re += '\\{';
      } else {
        re += `(?:${glob.slice(i + 1, end).split(',').map(globSource).join('|')})`;
        i = end;
      }
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
      } else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else {
      re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
    }
  }
  return re;
}

/** `a/b` from `/a/b/`, '' for the root, null for anything that climbs out (`..`). */
function normaliseSubpath(subpath: string): string | null {
  const parts = subpath.replace(/\\/g, '/').split('/');
  if (parts.includes('..')) return null;
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}
