import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ScopeSet, compileGlob, type ScopeRule } from './scope-set.js';

const LOC = '11111111-1111-4111-8111-111111111111';

describe('compileGlob', () => {
  it.each([
    ['**/*.{jpg,png}', 'cat.jpg', true],
    ['**/*.{jpg,png}', 'a/b/cat.png', true],
    ['**/*.{jpg,png}', 'a/b/cat.pdf', false],
    ['**/*.{jpg,png}', 'a/b/cat.jpg.exe', false],
    ['*.jpg', 'a/cat.jpg', false],
    ['photos/**', 'photos/a/b', true],
    ['photos/?.txt', 'photos/a.txt', true],
    ['photos/?.txt', 'photos/ab.txt', false],
    ['[!a]*.md', 'b.md', true],
    ['[!a]*.md', 'a.md', false],
    ['a+b(1).txt', 'a+b(1).txt', true],
    ['a+b(1).txt', 'aab(1).txt', false],
  ])('%s matches %s: %s', (glob, p, expected) => {
    expect(compileGlob(glob).test(p)).toBe(expected);
  });
});

describe('ScopeSet', () => {
  it('covers granted folders and their children, files only when they match the glob', () => {
    const set = new ScopeSet([{ scopes: [{ locationId: LOC, subpath: '/photos/' }], glob: '**/*.jpg' }]);
    expect(set.covers(LOC, 'photos/x.jpg')).toBe(true);
    expect(set.covers(LOC, 'photos/x.pdf')).toBe(false);
    expect(set.covers(LOC, 'photos/sub', 'dir')).toBe(true);
    expect(set.covers(LOC, 'photosx/x.jpg')).toBe(false);
    expect(set.covers(LOC, 'photos/../docs/x.jpg')).toBe(false);
    expect(set.covers(LOC, '../x.jpg')).toBe(false);
    expect(set.covers('22222222-2222-4222-8222-222222222222', 'photos/x.jpg')).toBe(false);
  });

  it('ignores subpaths that climb out and grants nothing for an empty scope list', () => {
    expect(new ScopeSet([{ scopes: [{ locationId: LOC, subpath: '../..' }], glob: null }]).isEmpty).toBe(true);
    expect(new ScopeSet([{ scopes: [], glob: null }]).covers(LOC, 'a')).toBe(false);
    expect(new ScopeSet([{ scopes: [{ locationId: LOC, subpath: '' }], glob: null }]).covers(LOC, 'a/b/c')).toBe(true);
  });
});

describe('ScopeSet.toSql', () => {
  const OTHER = '22222222-2222-4222-8222-222222222222';
  const paths: [string, string, 'file' | 'dir' | 'symlink'][] = [];
  for (const loc of [LOC, OTHER]) {
    for (const p of ['photos', 'photos/2024', 'photosx', "o'brien", "o'brien/a.jpg", 'docs', 'docs/photos', 'a', 'a/b', 'a/b/c']) paths.push([loc, p, 'dir']);
    for (const p of ['cat.jpg', 'photos/cat.jpg', 'photos/cat.JPG', 'photos/2024/dog.png', 'photos/2024/x.jpg.exe', 'photos/.hidden.jpg', 'photos0/a.jpg',
      'photosx/cat.jpg', 'photos/notes.txt', 'docs/photos/cat.jpg', 'docs/cv.pdf', 'a/b.md', 'a/b/c.md', 'b.md', 'a.md', 'photos/a.txt', 'photos/ab.txt',
      "o'brien/a.jpg/c.jpg", 'ünïcødé/ß.jpg', 'photos/link.jpg']) paths.push([loc, p, p.endsWith('link.jpg') ? 'symlink' : 'file']);
  }

  /** Rows of a real SQLite table the condition selects, against what covers() says, for every path above. */
  function compare(rules: ScopeRule[]): { sql: string } {
    const set = new ScopeSet(rules);
    const db = new Database(':memory:');
    try {
      db.function('visible', (l: unknown, r: unknown, k: unknown) => (set.covers(String(l), String(r), k as 'file') ? 1 : 0));
      db.exec('CREATE TABLE entries (id INTEGER PRIMARY KEY, location_id TEXT, rel_path TEXT, kind TEXT, UNIQUE (location_id, rel_path))');
      const insert = db.prepare('INSERT INTO entries (location_id, rel_path, kind) VALUES (?, ?, ?)');
      for (const p of paths) insert.run(...p);
      const sql = set.toSql('visible');
      const selected = new Set((db.prepare(`SELECT location_id || '|' || rel_path AS k FROM entries WHERE ${sql}`).all() as { k: string }[]).map((r) => r.k));
      const expected = new Set(paths.filter(([l, r, k]) => set.covers(l, r, k)).map(([l, r]) => `${l}|${r}`));
      expect([...selected].sort()).toEqual([...expected].sort());
      return { sql };
    } finally {
      db.close();
    }
  }

  it('selects exactly the paths covers() allows, for folders, file-type globs, other globs and several rules', () => {
    const cases: ScopeRule[][] = [
      [{ scopes: [{ locationId: LOC, subpath: 'photos' }], glob: '**/*.jpg' }],
      [{ scopes: [{ locationId: LOC, subpath: '/photos/' }, { locationId: OTHER, subpath: '' }], glob: '**/*.{jpg,png}' }],
      [{ scopes: [{ locationId: LOC, subpath: '' }], glob: null }],
      [{ scopes: [{ locationId: LOC, subpath: 'a' }], glob: '**' }],
      [{ scopes: [{ locationId: LOC, subpath: "o'brien" }], glob: '**/*.jpg' }],
      [{ scopes: [{ locationId: LOC, subpath: '' }], glob: '[!a]*.md' }],
      [{ scopes: [{ locationId: LOC, subpath: 'photos' }], glob: 'photos/?.txt' }],
      [{ scopes: [{ locationId: LOC, subpath: '' }], glob: '*.jpg' }],
      [
        { scopes: [{ locationId: LOC, subpath: 'docs' }], glob: null },
        { scopes: [{ locationId: OTHER, subpath: 'photos' }], glob: '**/*.png' },
      ],
      [{ scopes: [{ locationId: LOC, subpath: '../..' }], glob: null }],
      [],
    ];
    for (const rules of cases) compare(rules);
  });

  it('needs the SQL function only for globs other than a file type, and grants nothing as 0', () => {
    expect(compare([{ scopes: [{ locationId: LOC, subpath: 'photos' }], glob: '**/*.{jpg,png}' }]).sql).not.toContain('visible(');
    expect(compare([{ scopes: [{ locationId: LOC, subpath: '' }], glob: '[!a]*.md' }]).sql).toContain('visible(');
    expect(new ScopeSet([]).toSql('visible')).toBe('0');
  });
});
