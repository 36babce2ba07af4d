import { describe, expect, it } from 'vitest';
import { ScopeSet, compileGlob } from './scope-set.js';

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
