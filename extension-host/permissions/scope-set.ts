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
  readonly #rules: { locationId: string; subpath: string; glob: RegExp | null; extensions: string[] | null }[];
  readonly #cache = new Map<string, boolean>();

  constructor(rules: ScopeRule[]) {
    this.#rules = rules.flatMap((r) =>
      r.scopes.flatMap((s) => {
        const subpath = normaliseSubpath(s.subpath);
        const glob = r.glob === null || MATCH_ALL.has(r.glob) ? null : r.glob;
        return subpath === null ? [] : [{ locationId: s.locationId, subpath, glob: glob === null ? null : compileGlob(glob), extensions: glob === null ? null : fileTypeGlob(glob) }];
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

  /**
   * The same question as {@link ScopeSet.covers}, as an SQL condition over the columns `location_id`, `rel_path`
   * and `kind` of `entries`, with the rules' values written in as literals (for a TEMP VIEW, which cannot take
   * parameters). Locations and folders become equality and range tests that SQLite answers from the
   * (location_id, rel_path) index; the usual file-type glob (`**\/*.jpg`, `**\/*.{jpg,png}`) becomes GLOB tests
   * that match exactly the same paths; any other glob calls `fallback(location_id, rel_path, kind)`, an SQL
   * function that must answer like `covers`. Nothing granted gives `0`.
   *
   * @example
   * new ScopeSet([{ scopes: [{ locationId: 'L', subpath: 'photos' }], glob: '**\/*.jpg' }]).toSql('visible')
   * // "(location_id = 'L' AND (rel_path = 'photos' OR (rel_path >= 'photos/' AND rel_path < 'photos0')) AND (kind = 'dir' OR rel_path GLOB '*.jpg'))"
   */
  toSql(fallback: string): string {
    if (this.#rules.length === 0) return '0';
    return this.#rules
      .map((rule) => {
        const parts = [`location_id = ${sqlText(rule.locationId)}`];
        if (rule.subpath !== '') {
          parts.push(`(rel_path = ${sqlText(rule.subpath)} OR (rel_path >= ${sqlText(`${rule.subpath}/`)} AND rel_path < ${sqlText(`${rule.subpath}0`)}))`);
        }
        if (rule.glob !== null) {
          const exts = rule.extensions;
          const files = exts ? exts.map((e) => `rel_path GLOB ${sqlText(`*.${e}`)}`).join(' OR ') : `${fallback}(location_id, rel_path, kind)`;
          parts.push(`(kind = 'dir' OR ${files})`);
        }
        return `(${parts.join(' AND ')})`;
      })
      .join(' OR ');
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

/**
 * The extensions of a file-type glob, `**\/*.jpg` or `**\/*.{jpg,png}` (plain letters, digits, `_` and `-`), else
 * null. Such a glob matches exactly the paths that end in `.<ext>`: `**\/` takes any folders and `*` cannot hold
 * a `/` before an extension without one, so SQL's `GLOB '*.<ext>'` (whose `*` crosses `/`) agrees with it.
 */
function fileTypeGlob(glob: string): string[] | null {
  const m = /^\*\*\/\*\.(?:([A-Za-z0-9_-]+)|\{([A-Za-z0-9_-]+(?:,[A-Za-z0-9_-]+)*)\})$/.exec(glob);
  if (!m) return null;
  return m[1] !== undefined ? [m[1]] : m[2]!.split(',');
}

/** An SQL text literal. */
function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `a/b` from `/a/b/`, '' for the root, null for anything that climbs out (`..`). */
function normaliseSubpath(subpath: string): string | null {
  const parts = subpath.replace(/\\/g, '/').split('/');
  if (parts.includes('..')) return null;
  return parts.filter((p) => p !== '' && p !== '.').join('/');
}
