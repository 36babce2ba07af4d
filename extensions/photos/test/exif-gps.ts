// Writes GPS coordinates and a capture date into a JPEG's EXIF (piexifjs), for Photos' tests and the e2e test.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const piexif = require('piexifjs') as {
  dump(exif: Record<string, unknown>): string;
  insert(exif: string, jpeg: string): string;
  GPSIFD: Record<string, number>;
  ExifIFD: Record<string, number>;
  GPSHelper: { degToDmsRational(deg: number): number[][] };
};

/** A point on Earth in decimal degrees. */
export interface GpsPoint {
  latitude: number;
  longitude: number;
}

/**
 * A copy of `jpeg` whose EXIF holds `gps` and DateTimeOriginal `date` ("YYYY:MM:DD HH:MM:SS"). Replaces any
 * EXIF it had. Throws if `jpeg` is not a JPEG.
 *
 * @example
 * fs.writeFileSync('paris.jpg', jpegWithGpsBytes(fs.readFileSync('grace.jpg'), { latitude: 48.86, longitude: 2.35 }, '2024:05:01 10:00:00'));
 */
export function jpegWithGpsBytes(jpeg: Buffer, gps: GpsPoint, date: string): Buffer {
  const exif = {
    '0th': {},
    Exif: { [piexif.ExifIFD['DateTimeOriginal']!]: date },
    GPS: {
      [piexif.GPSIFD['GPSLatitudeRef']!]: gps.latitude >= 0 ? 'N' : 'S',
      [piexif.GPSIFD['GPSLatitude']!]: piexif.GPSHelper.degToDmsRational(Math.abs(gps.latitude)),
      [piexif.GPSIFD['GPSLongitudeRef']!]: gps.longitude >= 0 ? 'E' : 'W',
      [piexif.GPSIFD['GPSLongitude']!]: piexif.GPSHelper.degToDmsRational(Math.abs(gps.longitude)),
    },
  };
  return Buffer.from(piexif.insert(piexif.dump(exif), jpeg.toString('binary')), 'binary');
}
