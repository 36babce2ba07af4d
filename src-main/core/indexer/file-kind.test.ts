import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_KINDS, detectFileKind, detectFileKindOfFile, extensionOf } from './file-kind.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const images = path.resolve(repoRoot, '../shared/fixtures/images');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-kind-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const head = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

/** An ftyp box: size, 'ftyp', major brand, minor version, compatible brands. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + compatible.length * 4;
  return head([0, 0, 0, size], 'ftyp', major, [0, 0, 0, 0], ...compatible, [0, 0, 0, 8], 'mdat');
}

describe('extensionOf', () => {
  it('lower-cases and ignores dotfiles', () => {
    expect(extensionOf('Photo.JPG')).toBe('jpg');
    expect(extensionOf('archive.tar.gz')).toBe('gz');
    expect(extensionOf('.bashrc')).toBe('');
    expect(extensionOf('noext')).toBe('');
    expect(extensionOf('trailing.')).toBe('');
  });
});

describe('detectFileKind', () => {
  it('uses the extension when there are no bytes', () => {
    expect(detectFileKind('a.rs')).toEqual({ kind: 'code', mime: 'text/x-rust', source: 'extension' });
    expect(detectFileKind('a.woff2')).toMatchObject({ kind: 'font' });
    expect(detectFileKind('a.7z')).toMatchObject({ kind: 'archive' });
    expect(detectFileKind('a.exe')).toMatchObject({ kind: 'executable' });
    expect(detectFileKind('a.docx')).toMatchObject({ kind: 'document' });
    expect(detectFileKind('a.MP3')).toMatchObject({ kind: 'audio', mime: 'audio/mpeg' });
    expect(detectFileKind('a.mkv')).toMatchObject({ kind: 'video' });
    expect(detectFileKind('notes.md')).toMatchObject({ kind: 'text' });
    expect(detectFileKind('Makefile')).toMatchObject({ kind: 'code' });
    expect(detectFileKind('mystery.qqq')).toEqual({ kind: 'unknown', mime: 'application/octet-stream', source: 'none' });
  });

  it('lets magic bytes win over a lying extension', () => {
    const png = head([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(detectFileKind('holiday.jpg', png)).toEqual({ kind: 'image', mime: 'image/png', source: 'magic' });
    expect(detectFileKind('report.txt', head([0xff, 0xd8, 0xff, 0xe0]))).toMatchObject({ mime: 'image/jpeg' });
    expect(detectFileKind('a.png', head('GIF89a'))).toMatchObject({ mime: 'image/gif' });
    expect(detectFileKind('a.jpg', head('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toMatchObject({ mime: 'image/webp' });
    expect(detectFileKind('a.jpg', head('RIFF', [1, 2, 3, 4], 'WAVEfmt '))).toMatchObject({ kind: 'audio', mime: 'audio/wav' });
    expect(detectFileKind('a.doc', head('%PDF-1.7\n'))).toMatchObject({ kind: 'document', mime: 'application/pdf' });
    expect(detectFileKind('a.pdf', head('PK\x03\x04'))).toMatchObject({ kind: 'archive', mime: 'application/zip' });
    expect(detectFileKind('song.txt', head('ID3', [4, 0]))).toMatchObject({ kind: 'audio', mime: 'audio/mpeg' });
    expect(detectFileKind('x.bin', head([0x7f, 0x45, 0x4c, 0x46, 2]))).toMatchObject({ kind: 'executable' });
    expect(detectFileKind('x.txt', head([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toMatchObject({ mime: 'application/wasm' });
    expect(detectFileKind('x.ttf', head('wOF2'))).toMatchObject({ kind: 'font', mime: 'font/woff2' });
  });

  it('reads ISO-BMFF brands: HEIC, AVIF, MP4, MOV, M4A', () => {
    expect(detectFileKind('IMG.jpg', ftyp('heic', 'mif1', 'heic'))).toMatchObject({ kind: 'image', mime: 'image/heic' });
    expect(detectFileKind('IMG.heic', ftyp('mif1', 'mif1', 'avif'))).toMatchObject({ mime: 'image/avif' });
    expect(detectFileKind('IMG.heic', ftyp('mif1', 'mif1', 'heic'))).toMatchObject({ mime: 'image/heic' });
    expect(detectFileKind('x.avif', ftyp('avif', 'mif1'))).toMatchObject({ mime: 'image/avif' });
    expect(detectFileKind('clip.jpg', ftyp('isom', 'isom', 'mp41'))).toMatchObject({ kind: 'video', mime: 'video/mp4' });
    expect(detectFileKind('clip.mp4', ftyp('qt  '))).toMatchObject({ mime: 'video/quicktime' });
    expect(detectFileKind('x.mp4', ftyp('M4A ', 'isom'))).toMatchObject({ kind: 'audio', mime: 'audio/mp4' });
    expect(detectFileKind('x.m4a', ftyp('isom'))).toMatchObject({ kind: 'audio', mime: 'audio/mp4' });
  });

  it('refines containers by extension', () => {
    const zip = head('PK\x03\x04', [20, 0]);
    expect(detectFileKind('a.docx', zip)).toMatchObject({ kind: 'document', source: 'magic' });
    expect(detectFileKind('a.epub', zip)).toMatchObject({ mime: 'application/epub+zip' });
    expect(detectFileKind('a.zip', zip)).toMatchObject({ mime: 'application/zip' });
    expect(detectFileKind('a.NEF', head([0x4d, 0x4d, 0, 0x2a]))).toMatchObject({ mime: 'image/x-nikon-nef' });
    expect(detectFileKind('a.tif', head([0x49, 0x49, 0x2a, 0]))).toMatchObject({ mime: 'image/tiff' });
    expect(detectFileKind('a.webm', head([0x1a, 0x45, 0xdf, 0xa3]))).toMatchObject({ mime: 'video/webm' });
    const tar = new Uint8Array(512);
    tar.set(Buffer.from('ustar'), 257);
    expect(detectFileKind('backup', tar)).toMatchObject({ mime: 'application/x-tar' });
  });

  it('does not let weak signatures override a contradicting extension', () => {
    expect(detectFileKind('notes.txt', head('MZ is a text file that starts oddly'))).toMatchObject({ kind: 'text' });
    expect(detectFileKind('BMW.md', head('BM are initials, not a bitmap'))).toMatchObject({ kind: 'text' });
    expect(detectFileKind('program', head('MZ', [0x90, 0, 3, 0, 0, 0]))).toMatchObject({ kind: 'executable' });
    expect(detectFileKind('track', head([0xff, 0xfb, 0x90, 0x64]))).toMatchObject({ mime: 'audio/mpeg' });
  });

  it('sniffs UTF-8 text without an extension, and not binary', () => {
    expect(detectFileKind('NOTES', Buffer.from('héllo wörld\n', 'utf8'))).toEqual({ kind: 'text', mime: 'text/plain', source: 'content' });
    // A multi-byte character cut at the end of the head still counts as text.
    expect(detectFileKind('NOTES', Buffer.from('abc é').subarray(0, 5))).toMatchObject({ kind: 'text' });
    expect(detectFileKind('blob', head([1, 2, 0, 4, 5]))).toMatchObject({ kind: 'unknown' });
    expect(detectFileKind('blob', head([0xc3, 0x28, 0xa0, 0xa1, 0x41, 0x42]))).toMatchObject({ kind: 'unknown' });
  });

  it('only ever returns declared kinds', () => {
    for (const name of ['a.jpg', 'b.xyz', 'c', 'd.flac', 'e.sql']) {
      expect(FILE_KINDS).toContain(detectFileKind(name).kind);
    }
  });
});

describe('detectFileKindOfFile', () => {
  it('recognises the real fixtures and encodings sharp writes, whatever their names say', async () => {
    const cases: [string, Buffer][] = [
      ['renamed.txt', fs.readFileSync(path.join(images, 'chelsea.png'))],
      ['grace.png', fs.readFileSync(path.join(images, 'grace_hopper_512x512.jpg'))],
      ['cat.jpg', await sharp(path.join(images, 'chelsea.png')).resize(32).webp().toBuffer()],
      ['cat.png', await sharp(path.join(images, 'chelsea.png')).resize(32).avif().toBuffer()],
      ['cat.bmp', await sharp(path.join(images, 'chelsea.png')).resize(32).gif().toBuffer()],
      ['cat.gif', await sharp(path.join(images, 'chelsea.png')).resize(32).tiff().toBuffer()],
    ];
    const expected = ['image/png', 'image/jpeg', 'image/webp', 'image/avif', 'image/gif', 'image/tiff'];
    for (const [i, [name, bytes]] of cases.entries()) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const result = await detectFileKindOfFile(file);
      expect(result).toEqual({ ok: true, value: { kind: 'image', mime: expected[i], source: 'magic' } });
    }
  });

  it('returns error values for a missing file and a directory', async () => {
    expect(await detectFileKindOfFile(path.join(dir, 'nope.jpg'))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await detectFileKindOfFile(dir)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('falls back to the extension for an empty file', async () => {
    const file = path.join(dir, 'empty.mp4');
    fs.writeFileSync(file, '');
    expect(await detectFileKindOfFile(file)).toEqual({ ok: true, value: { kind: 'video', mime: 'video/mp4', source: 'extension' } });
  });
});
