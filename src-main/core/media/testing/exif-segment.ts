// Test support: builds a minimal EXIF APP1 segment by hand (piexifjs is not installed, and sharp's
// withExif was seen to drop the GPS longitude). Used by the media tests to write dates, camera, orientation
// and signed GPS coordinates into real JPEGs. Little-endian TIFF, no thumbnail IFD.

/** What {@link buildExifSegment} can write. Every field is optional. */
export interface ExifFields {
  make?: string;
  model?: string;
  /** EXIF orientation 1–8. */
  orientation?: number;
  /** `YYYY:MM:DD HH:MM:SS`, written as DateTimeOriginal. */
  dateTimeOriginal?: string;
  /** `±HH:MM`, written as OffsetTimeOriginal. */
  offsetTimeOriginal?: string;
  pixelWidth?: number;
  pixelHeight?: number;
  /** Signed decimal degrees; the sign becomes the N/S and E/W reference. */
  latitude?: number;
  longitude?: number;
  /** Metres; negative means below sea level. */
  altitude?: number;
}

const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;
const BYTE = 1;

interface Tag {
  tag: number;
  type: number;
  count: number;
  data: Buffer;
}

function ascii(tag: number, text: string): Tag {
  const data = Buffer.from(`${text}\0`, 'latin1');
  return { tag, type: ASCII, count: data.length, data };
}
function short(tag: number, value: number): Tag {
  const data = Buffer.alloc(2);
  data.writeUInt16LE(value);
  return { tag, type: SHORT, count: 1, data };
}
function long(tag: number, value: number): Tag {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value);
  return { tag, type: LONG, count: 1, data };
}
function rationals(tag: number, values: [number, number][]): Tag {
  const data = Buffer.alloc(values.length * 8);
  values.forEach(([n, d], i) => {
    data.writeUInt32LE(n, i * 8);
    data.writeUInt32LE(d, i * 8 + 4);
  });
  return { tag, type: RATIONAL, count: values.length, data };
}

function dms(value: number): [number, number][] {
  const abs = Math.abs(value);
  const deg = Math.floor(abs);
  const minFloat = (abs - deg) * 60;
  const min = Math.floor(minFloat);
  const sec = Math.round((minFloat - min) * 60 * 10000);
  return [
    [deg, 1],
    [min, 1],
    [sec, 10000],
  ];
}

/** Lays out one IFD at `offset`; returns its bytes (entries, next-IFD pointer, out-of-line values). */
function ifd(tags: Tag[], offset: number): Buffer {
  tags.sort((a, b) => a.tag - b.tag);
  const head = Buffer.alloc(2 + tags.length * 12 + 4);
  head.writeUInt16LE(tags.length, 0);
  const extra: Buffer[] = [];
  let dataAt = offset + head.length;
  tags.forEach((t, i) => {
    const at = 2 + i * 12;
    head.writeUInt16LE(t.tag, at);
    head.writeUInt16LE(t.type, at + 2);
    head.writeUInt32LE(t.count, at + 4);
    if (t.data.length <= 4) {
      t.data.copy(head, at + 8);
    } else {
      head.writeUInt32LE(dataAt, at + 8);
      const padded = t.data.length % 2 ? Buffer.concat([t.data, Buffer.alloc(1)]) : t.data;
      extra.push(padded);
      dataAt += padded.length;
    }
  });
  return Buffer.concat([head, ...extra]);
}

/**
 * Builds a complete APP1 segment (`FF E1`, length, `Exif\0\0`, TIFF) holding `fields`.
 *
 * @example
 * const app1 = buildExifSegment({ make: 'Cairn', latitude: -33.8568, longitude: 151.2153 });
 */
export function buildExifSegment(fields: ExifFields): Buffer {
  const ifd0: Tag[] = [];
  if (fields.make !== undefined) ifd0.push(ascii(0x010f, fields.make));
  if (fields.model !== undefined) ifd0.push(ascii(0x0110, fields.model));
  if (fields.orientation !== undefined) ifd0.push(short(0x0112, fields.orientation));
  const exif: Tag[] = [];
  if (fields.dateTimeOriginal !== undefined) exif.push(ascii(0x9003, fields.dateTimeOriginal));
  if (fields.offsetTimeOriginal !== undefined) exif.push(ascii(0x9011, fields.offsetTimeOriginal));
  if (fields.pixelWidth !== undefined) exif.push(long(0xa002, fields.pixelWidth));
  if (fields.pixelHeight !== undefined) exif.push(long(0xa003, fields.pixelHeight));
  const gps: Tag[] = [];
  if (fields.latitude !== undefined && fields.longitude !== undefined) {
    gps.push({ tag: 0x0000, type: BYTE, count: 4, data: Buffer.from([2, 3, 0, 0]) });
    gps.push(ascii(0x0001, fields.latitude < 0 ? 'S' : 'N'));
    gps.push(rationals(0x0002, dms(fields.latitude)));
    gps.push(ascii(0x0003, fields.longitude < 0 ? 'W' : 'E'));
    gps.push(rationals(0x0004, dms(fields.longitude)));
    if (fields.altitude !== undefined) {
      gps.push({ tag: 0x0005, type: BYTE, count: 1, data: Buffer.from([fields.altitude < 0 ? 1 : 0]) });
      gps.push(rationals(0x0006, [[Math.round(Math.abs(fields.altitude) * 100), 100]]));
    }
  }
  // Pointers are patched in after the sizes are known: reserve them now.
  if (exif.length > 0) ifd0.push(long(0x8769, 0));
  if (gps.length > 0) ifd0.push(long(0x8825, 0));
  const layout = (exifAt: number, gpsAt: number): Buffer[] => {
    for (const t of ifd0) {
      if (t.tag === 0x8769) t.data.writeUInt32LE(exifAt);
      if (t.tag === 0x8825) t.data.writeUInt32LE(gpsAt);
    }
    const b0 = ifd(ifd0, 8);
    const bExif = exif.length > 0 ? ifd(exif, 8 + b0.length) : Buffer.alloc(0);
    const bGps = gps.length > 0 ? ifd(gps, 8 + b0.length + bExif.length) : Buffer.alloc(0);
    return [b0, bExif, bGps];
  };
  const [b0, bExif] = layout(0, 0);
  const parts = layout(8 + b0!.length, 8 + b0!.length + bExif!.length);
  const tiff = Buffer.concat([Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), ...parts]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([header, body]);
}

/**
 * Inserts an APP1 segment right after a JPEG's SOI marker. Throws if `jpeg` does not start with SOI.
 *
 * @example
 * const tagged = insertSegment(await sharp(input).jpeg().toBuffer(), buildExifSegment({ orientation: 6 }));
 */
export function insertSegment(jpeg: Buffer, segment: Buffer): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('Not a JPEG (no SOI marker)');
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}
