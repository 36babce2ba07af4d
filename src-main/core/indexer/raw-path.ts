import fs from 'node:fs';
import path from 'node:path';

const REPLACEMENT = '\uFFFD';

/**
 * The on-disk path of a stored relative path, as bytes when a component was not valid UTF-8. Entries keep
 * a lossy name (U+FFFD for the bad bytes, `name_is_lossy = 1`); this finds the real name by listing each
 * folder along the way in bytes and matching the decoded names. Returns the plain string path when no
 * component is lossy, and undefined when nothing on disk matches (the entry vanished, or two raw names
 * decode to the same text and cannot be told apart).
 *
 * @example
 * resolveRawPath('/photos', 'caf\uFFFD/a.jpg') // <Buffer 2f 70 68 ... 63 61 66 e9 2f 61 2e 6a 70 67>
 */
export function resolveRawPath(root: string, rel: string): string | Buffer | undefined {
  if (!rel.includes(REPLACEMENT)) return path.join(root, ...rel.split('/'));
  let current: Buffer = Buffer.from(root);
  for (const part of rel.split('/')) {
    if (!part.includes(REPLACEMENT)) {
      current = Buffer.concat([current, Buffer.from(`/${part}`)]);
      continue;
    }
    let names: Buffer[];
    try {
      names = fs.readdirSync(current, { encoding: 'buffer' });
    } catch {
      return undefined;
    }
    const matches = names.filter((n) => n.toString('utf8') === part);
    if (matches.length !== 1) return undefined;
    current = Buffer.concat([current, Buffer.from('/'), matches[0]!]);
  }
  return current;
}
