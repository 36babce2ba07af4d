import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { ErrorCode, Result } from '../../../src-shared/errors.js';

/** Every kind a file can have. */
export const FILE_KINDS = [
  'image',
  'video',
  'audio',
  'document',
  'text',
  'archive',
  'code',
  'executable',
  'font',
  'unknown',
] as const;

/** One of {@link FILE_KINDS}. */
export type FileKind = (typeof FILE_KINDS)[number];

/** What {@link detectFileKind} decided, and from which evidence. */
export interface FileKindResult {
  kind: FileKind;
  mime: string;
  /**
   * `magic`: the leading bytes (they win over the extension for the formats we recognise);
   * `extension`: the name only; `content`: the bytes look like UTF-8 text; `none`: no evidence.
   */
  source: 'magic' | 'extension' | 'content' | 'none';
}

/** How many leading bytes {@link detectFileKind} can use (tar's signature sits at offset 257). */
export const MAGIC_BYTES_NEEDED = 512;

type KindMime = readonly [FileKind, string];

// Extension table. Lower-case, without the dot.
const EXTENSIONS: Record<string, KindMime> = {};
function ext(kind: FileKind, entries: Record<string, string>): void {
  for (const [e, mime] of Object.entries(entries)) {
    for (const name of e.split(' ')) EXTENSIONS[name] = [kind, mime];
  }
}
ext('image', {
  'jpg jpeg jpe jfif': 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  'tif tiff': 'image/tiff',
  'heic heics': 'image/heic',
  'heif heifs hif': 'image/heif',
  avif: 'image/avif',
  jxl: 'image/jxl',
  ico: 'image/vnd.microsoft.icon',
  svg: 'image/svg+xml',
  psd: 'image/vnd.adobe.photoshop',
  tga: 'image/x-tga',
  dng: 'image/x-adobe-dng',
  cr2: 'image/x-canon-cr2',
  cr3: 'image/x-canon-cr3',
  nef: 'image/x-nikon-nef',
  arw: 'image/x-sony-arw',
  orf: 'image/x-olympus-orf',
  rw2: 'image/x-panasonic-rw2',
  raf: 'image/x-fuji-raf',
  pef: 'image/x-pentax-pef',
  srw: 'image/x-samsung-srw',
});
ext('video', {
  'mp4 m4v': 'video/mp4',
  'mov qt': 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  wmv: 'video/x-ms-wmv',
  flv: 'video/x-flv',
  'mpg mpeg m2v': 'video/mpeg',
  'ts mts m2ts': 'video/mp2t',
  '3gp': 'video/3gpp',
  '3g2': 'video/3gpp2',
  ogv: 'video/ogg',
});
ext('audio', {
  mp3: 'audio/mpeg',
  'm4a m4b m4p': 'audio/mp4',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  'ogg oga': 'audio/ogg',
  opus: 'audio/opus',
  wma: 'audio/x-ms-wma',
  'aif aiff aifc': 'audio/aiff',
  'mid midi': 'audio/midi',
  amr: 'audio/amr',
  mka: 'audio/x-matroska',
});
ext('document', {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  rtf: 'application/rtf',
  epub: 'application/epub+zip',
  pages: 'application/vnd.apple.pages',
  numbers: 'application/vnd.apple.numbers',
  key: 'application/vnd.apple.keynote',
});
ext('text', {
  'txt text': 'text/plain',
  'md markdown': 'text/markdown',
  rst: 'text/x-rst',
  log: 'text/plain',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  'yaml yml': 'application/yaml',
  toml: 'application/toml',
  'ini cfg conf': 'text/plain',
  xml: 'application/xml',
  tex: 'application/x-tex',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
});
ext('code', {
  'js mjs cjs jsx': 'text/javascript',
  'ts mts cts tsx': 'text/x-typescript',
  'html htm': 'text/html',
  'css scss sass less': 'text/css',
  py: 'text/x-python',
  rs: 'text/x-rust',
  go: 'text/x-go',
  java: 'text/x-java',
  kt: 'text/x-kotlin',
  'c h': 'text/x-c',
  'cc cpp cxx hpp hh': 'text/x-c++',
  cs: 'text/x-csharp',
  swift: 'text/x-swift',
  rb: 'text/x-ruby',
  php: 'application/x-httpd-php',
  'sh bash zsh fish': 'application/x-sh',
  'bat cmd': 'application/x-bat',
  ps1: 'text/x-powershell',
  lua: 'text/x-lua',
  sql: 'application/sql',
  vue: 'text/x-vue',
  svelte: 'text/x-svelte',
  'wat as': 'text/plain',
});
ext('archive', {
  zip: 'application/zip',
  rar: 'application/vnd.rar',
  '7z': 'application/x-7z-compressed',
  tar: 'application/x-tar',
  'gz tgz': 'application/gzip',
  'bz2 tbz2': 'application/x-bzip2',
  'xz txz': 'application/x-xz',
  zst: 'application/zstd',
  lz4: 'application/x-lz4',
  cab: 'application/vnd.ms-cab-compressed',
  jar: 'application/java-archive',
  apk: 'application/vnd.android.package-archive',
  deb: 'application/vnd.debian.binary-package',
  rpm: 'application/x-rpm',
  iso: 'application/x-iso9660-image',
  dmg: 'application/x-apple-diskimage',
  cbz: 'application/vnd.comicbook+zip',
  cbr: 'application/vnd.comicbook-rar',
});
ext('executable', {
  'exe dll sys': 'application/vnd.microsoft.portable-executable',
  msi: 'application/x-msi',
  'so elf': 'application/x-elf',
  dylib: 'application/x-mach-binary',
  wasm: 'application/wasm',
  appimage: 'application/vnd.appimage',
});
ext('font', {
  ttf: 'font/ttf',
  otf: 'font/otf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttc: 'font/collection',
  eot: 'application/vnd.ms-fontobject',
});

const SPECIAL_NAMES: Record<string, KindMime> = {
  makefile: ['code', 'text/x-makefile'],
  dockerfile: ['code', 'text/x-dockerfile'],
  readme: ['text', 'text/plain'],
  license: ['text', 'text/plain'],
  copying: ['text', 'text/plain'],
};

/** Extensions whose files are ZIP containers: ZIP magic confirms them rather than overriding them. */
const ZIP_BASED = new Set(['docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'epub', 'jar', 'apk', 'cbz', 'pages', 'numbers', 'key']);
/** Raw camera formats that are TIFF inside. */
const TIFF_BASED = new Set(['dng', 'cr2', 'nef', 'arw', 'orf', 'rw2', 'pef', 'srw']);
/** Formats stored in Microsoft's compound file (OLE2) container. */
const CFB_BASED = new Set(['doc', 'xls', 'ppt', 'msi']);

/**
 * The lower-case extension of a file name without the dot; '' when there is none.
 * A leading dot alone (".bashrc") is not an extension.
 *
 * @example
 * extensionOf('Photo.JPG') // 'jpg'
 * extensionOf('.bashrc')   // ''
 */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  return name.slice(dot + 1).toLowerCase();
}

function ascii(head: Uint8Array, at: number, text: string): boolean {
  if (head.length < at + text.length) return false;
  for (let i = 0; i < text.length; i += 1) if (head[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function bytesAt(head: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (head.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i += 1) if (head[at + i] !== sig[i]) return false;
  return true;
}

interface Magic {
  kind: FileKind;
  mime: string;
  /** Weak signatures (two bytes, or common in text) only apply when the extension does not contradict them. */
  weak?: boolean;
}

function fourcc(head: Uint8Array, at: number): string {
  return String.fromCharCode(...head.subarray(at, at + 4));
}

/** ISO base media (`ftyp`) files: MP4, MOV, HEIC, AVIF, CR3, 3GP, M4A. */
function ftypMagic(head: Uint8Array, e: string): Magic | undefined {
  if (!ascii(head, 4, 'ftyp') || head.length < 12) return undefined;
  const major = fourcc(head, 8);
  const boxSize = Math.min(head.length, (head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!);
  const brands = new Set([major]);
  for (let at = 16; at + 4 <= boxSize; at += 4) brands.add(fourcc(head, at));
  if (['avif', 'avis'].includes(major)) return { kind: 'image', mime: 'image/avif' };
  if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'].includes(major)) return { kind: 'image', mime: 'image/heic' };
  if (['mif1', 'msf1'].includes(major)) {
    if (brands.has('avif') || brands.has('avis')) return { kind: 'image', mime: 'image/avif' };
    if (brands.has('heic') || brands.has('heix')) return { kind: 'image', mime: 'image/heic' };
    return { kind: 'image', mime: 'image/heif' };
  }
  if (major === 'crx ') return { kind: 'image', mime: 'image/x-canon-cr3' };
  if (major === 'qt  ') return { kind: 'video', mime: 'video/quicktime' };
  if (['M4A ', 'M4B ', 'M4P '].includes(major)) return { kind: 'audio', mime: 'audio/mp4' };
  if (major.startsWith('3g2')) return { kind: 'video', mime: 'video/3gpp2' };
  if (major.startsWith('3gp')) return { kind: 'video', mime: 'video/3gpp' };
  // Generic MP4 brands (isom, mp41, mp42, avc1, dash, M4V ...): an .m4a extension means audio.
  if (['m4a', 'm4b', 'm4p'].includes(e)) return { kind: 'audio', mime: 'audio/mp4' };
  return { kind: 'video', mime: 'video/mp4' };
}

function magicOf(head: Uint8Array, e: string): Magic | undefined {
  if (head.length < 2) return undefined;
  if (bytesAt(head, 0, [0xff, 0xd8, 0xff])) return { kind: 'image', mime: 'image/jpeg' };
  if (bytesAt(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', mime: 'image/png' };
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return { kind: 'image', mime: 'image/gif' };
  if (ascii(head, 0, 'RIFF')) {
    const form = fourcc(head, 8);
    if (form === 'WEBP') return { kind: 'image', mime: 'image/webp' };
    if (form === 'WAVE') return { kind: 'audio', mime: 'audio/wav' };
    if (form === 'AVI ') return { kind: 'video', mime: 'video/x-msvideo' };
  }
  const ftyp = ftypMagic(head, e);
  if (ftyp) return ftyp;
  if (ascii(head, 0, '%PDF-')) return { kind: 'document', mime: 'application/pdf' };
  if (ascii(head, 0, 'PK\x03\x04') || ascii(head, 0, 'PK\x05\x06')) return { kind: 'archive', mime: 'application/zip' };
  if (bytesAt(head, 0, [0x1f, 0x8b])) return { kind: 'archive', mime: 'application/gzip' };
  if (bytesAt(head, 0, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return { kind: 'archive', mime: 'application/x-7z-compressed' };
  if (ascii(head, 0, 'Rar!\x1a\x07')) return { kind: 'archive', mime: 'application/vnd.rar' };
  if (bytesAt(head, 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return { kind: 'archive', mime: 'application/x-xz' };
  if (bytesAt(head, 0, [0x28, 0xb5, 0x2f, 0xfd])) return { kind: 'archive', mime: 'application/zstd' };
  if (ascii(head, 0, 'BZh') && head[3]! >= 0x31 && head[3]! <= 0x39) return { kind: 'archive', mime: 'application/x-bzip2' };
  if (ascii(head, 257, 'ustar')) return { kind: 'archive', mime: 'application/x-tar' };
  if (ascii(head, 0, '!<arch>\n')) {
    return e === 'deb' ? { kind: 'archive', mime: 'application/vnd.debian.binary-package' } : { kind: 'archive', mime: 'application/x-archive' };
  }
  if (ascii(head, 0, 'ID3')) return { kind: 'audio', mime: 'audio/mpeg' };
  if (ascii(head, 0, 'fLaC')) return { kind: 'audio', mime: 'audio/flac' };
  if (ascii(head, 0, 'OggS')) {
    if (ascii(head, 28, 'OpusHead')) return { kind: 'audio', mime: 'audio/opus' };
    if (ascii(head, 29, 'theora')) return { kind: 'video', mime: 'video/ogg' };
    return { kind: 'audio', mime: 'audio/ogg' };
  }
  if (ascii(head, 0, 'FORM') && (ascii(head, 8, 'AIFF') || ascii(head, 8, 'AIFC'))) return { kind: 'audio', mime: 'audio/aiff' };
  if (ascii(head, 0, 'MThd')) return { kind: 'audio', mime: 'audio/midi' };
  if (bytesAt(head, 0, [0x1a, 0x45, 0xdf, 0xa3])) {
    if (e === 'webm') return { kind: 'video', mime: 'video/webm' };
    if (e === 'mka') return { kind: 'audio', mime: 'audio/x-matroska' };
    return { kind: 'video', mime: 'video/x-matroska' };
  }
  if (bytesAt(head, 0, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) {
    return e === 'wma' ? { kind: 'audio', mime: 'audio/x-ms-wma' } : { kind: 'video', mime: 'video/x-ms-asf' };
  }
  if (ascii(head, 0, 'FLV\x01')) return { kind: 'video', mime: 'video/x-flv' };
  if (bytesAt(head, 0, [0x00, 0x00, 0x01, 0xba]) || bytesAt(head, 0, [0x00, 0x00, 0x01, 0xb3])) return { kind: 'video', mime: 'video/mpeg' };
  if (bytesAt(head, 0, [0x49, 0x49, 0x2a, 0x00]) || bytesAt(head, 0, [0x4d, 0x4d, 0x00, 0x2a])) return { kind: 'image', mime: 'image/tiff' };
  if (bytesAt(head, 0, [0xff, 0x0a]) || bytesAt(head, 0, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return { kind: 'image', mime: 'image/jxl' };
  if (ascii(head, 0, '8BPS')) return { kind: 'image', mime: 'image/vnd.adobe.photoshop' };
  if (ascii(head, 0, 'wOFF')) return { kind: 'font', mime: 'font/woff' };
  if (ascii(head, 0, 'wOF2')) return { kind: 'font', mime: 'font/woff2' };
  if (ascii(head, 0, 'OTTO')) return { kind: 'font', mime: 'font/otf' };
  if (ascii(head, 0, 'ttcf')) return { kind: 'font', mime: 'font/collection' };
  if (bytesAt(head, 0, [0x7f, 0x45, 0x4c, 0x46])) return { kind: 'executable', mime: 'application/x-elf' };
  if (bytesAt(head, 0, [0x00, 0x61, 0x73, 0x6d])) return { kind: 'executable', mime: 'application/wasm' };
  if ([[0xfe, 0xed, 0xfa, 0xce], [0xfe, 0xed, 0xfa, 0xcf], [0xce, 0xfa, 0xed, 0xfe], [0xcf, 0xfa, 0xed, 0xfe]].some((s) => bytesAt(head, 0, s))) {
    return { kind: 'executable', mime: 'application/x-mach-binary' };
  }
  if (bytesAt(head, 0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return { kind: 'document', mime: 'application/x-ole-storage' };
  if (ascii(head, 0, 'SQLite format 3\0')) return { kind: 'unknown', mime: 'application/vnd.sqlite3' };
  // Weak signatures: short or plausible at the start of a text file.
  if (ascii(head, 0, 'MZ')) return { kind: 'executable', mime: 'application/vnd.microsoft.portable-executable', weak: true };
  if (ascii(head, 0, 'BM') && head.length >= 14) return { kind: 'image', mime: 'image/bmp', weak: true };
  if (bytesAt(head, 0, [0x00, 0x01, 0x00, 0x00, 0x00])) return { kind: 'font', mime: 'font/ttf', weak: true };
  if (bytesAt(head, 0, [0x00, 0x00, 0x01, 0x00])) return { kind: 'image', mime: 'image/vnd.microsoft.icon', weak: true };
  if (head[0] === 0xff && (head[1]! & 0xf6) === 0xf0) return { kind: 'audio', mime: 'audio/aac', weak: true };
  if (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0 && ((head[1]! >> 1) & 3) !== 0) return { kind: 'audio', mime: 'audio/mpeg', weak: true };
  return undefined;
}

/** Refines a container signature by an extension that names a format stored in that container. */
function refine(magic: Magic, e: string, byExt: KindMime | undefined): FileKindResult {
  if (byExt) {
    if (magic.mime === 'application/zip' && ZIP_BASED.has(e)) return { kind: byExt[0], mime: byExt[1], source: 'magic' };
    if (magic.mime === 'image/tiff' && TIFF_BASED.has(e)) return { kind: byExt[0], mime: byExt[1], source: 'magic' };
    if (magic.mime === 'application/x-ole-storage' && CFB_BASED.has(e)) return { kind: byExt[0], mime: byExt[1], source: 'magic' };
    if (magic.mime === 'application/gzip' && e === 'tgz') return { kind: byExt[0], mime: byExt[1], source: 'magic' };
  }
  return { kind: magic.kind, mime: magic.mime, source: 'magic' };
}

function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  if (isUtf8(head)) return true;
  // The head may end inside a multi-byte character: drop up to three trailing bytes and retry.
  for (let cut = 1; cut <= 3 && cut < head.length; cut += 1) {
    if (isUtf8(head.subarray(0, head.length - cut))) return true;
  }
  return false;
}

/**
 * Decides a file's kind and MIME type from its name and, when given, its first bytes
 * (up to {@link MAGIC_BYTES_NEEDED}). Recognised magic bytes win over a lying extension
 * (a PNG named `.jpg` is `image/png`); container formats are refined by the extension
 * (ZIP + `.docx` is a Word document, TIFF + `.nef` a Nikon raw). Weak two-byte signatures
 * (MZ, BM, MP3 frame sync) only apply when the extension is unknown or agrees. Without magic,
 * the extension decides; without either, UTF-8 bytes with no NUL are `text/plain`. Never throws.
 *
 * @example
 * detectFileKind('holiday.txt', pngBytes) // { kind: 'image', mime: 'image/png', source: 'magic' }
 * detectFileKind('main.rs')               // { kind: 'code', mime: 'text/x-rust', source: 'extension' }
 */
export function detectFileKind(name: string, head?: Uint8Array): FileKindResult {
  const e = extensionOf(name);
  const byExt = EXTENSIONS[e] ?? (e === '' ? SPECIAL_NAMES[name.toLowerCase()] : undefined);
  if (head && head.length > 0) {
    const magic = magicOf(head, e);
    if (magic && (!magic.weak || !byExt || byExt[0] === magic.kind)) return refine(magic, e, byExt);
  }
  if (byExt) return { kind: byExt[0], mime: byExt[1], source: 'extension' };
  if (head && looksLikeText(head)) return { kind: 'text', mime: 'text/plain', source: 'content' };
  return { kind: 'unknown', mime: 'application/octet-stream', source: 'none' };
}

/**
 * Reads the first {@link MAGIC_BYTES_NEEDED} bytes of a file and calls {@link detectFileKind}.
 * Failures are values: `NOT_FOUND` for a vanished file, `PERMISSION_DENIED`, `VALIDATION` for a
 * directory, otherwise `IO`.
 *
 * @example
 * const r = await detectFileKindOfFile('/photos/IMG_0001.HEIC');
 * if (r.ok) console.log(r.value.mime); // 'image/heic'
 */
export async function detectFileKindOfFile(path: string | Buffer): Promise<Result<FileKindResult>> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(path, 'r');
    const head = Buffer.alloc(MAGIC_BYTES_NEEDED);
    const { bytesRead } = await handle.read(head, 0, MAGIC_BYTES_NEEDED, 0);
    const name = (typeof path === 'string' ? path : path.toString('utf8')).split(/[\\/]/).pop() ?? '';
    return { ok: true, value: detectFileKind(name, head.subarray(0, bytesRead)) };
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    const code: ErrorCode =
      errno === 'ENOENT' ? 'NOT_FOUND' : errno === 'EACCES' || errno === 'EPERM' ? 'PERMISSION_DENIED' : errno === 'EISDIR' ? 'VALIDATION' : 'IO';
    return { ok: false, error: { code, message: error instanceof Error ? error.message : String(error) } };
  } finally {
    await handle?.close();
  }
}
