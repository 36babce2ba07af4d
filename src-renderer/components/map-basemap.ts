import type { FeatureCollection, Geometry, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110m from 'world-atlas/countries-110m.json';

/**
 * Makes a ring continuous across the 180° meridian: each point's longitude is shifted by ±360° when it
 * jumps more than 180° from the previous one, so Russia and Fiji do not draw as bands across the map.
 */
export function unwrapRing(ring: Position[]): Position[] {
  const out: Position[] = [];
  let offset = 0;
  let prev: number | null = null;
  for (const [lon, lat] of ring as [number, number][]) {
    if (prev !== null) {
      const delta = lon + offset - prev;
      if (delta > 180) offset -= 360;
      else if (delta < -180) offset += 360;
    }
    const x = lon + offset;
    out.push([x, lat]);
    prev = x;
  }
  return out;
}

function unwrapGeometry(g: Geometry): Geometry {
  if (g.type === 'Polygon') return { ...g, coordinates: g.coordinates.map(unwrapRing) };
  if (g.type === 'MultiPolygon') return { ...g, coordinates: g.coordinates.map((poly) => poly.map(unwrapRing)) };
  return g;
}

let cached: FeatureCollection | null = null;

/** The world's countries (Natural Earth 1:110m via world-atlas) as GeoJSON, rings unwrapped. Works offline. */
export function countriesGeoJson(): FeatureCollection {
  if (cached) return cached;
  const topology = countries110m as unknown as Topology<{ countries: GeometryCollection }>;
  const fc = feature(topology, topology.objects.countries) as FeatureCollection;
  cached = { ...fc, features: fc.features.filter((f) => f.geometry).map((f) => ({ ...f, geometry: unwrapGeometry(f.geometry) })) };
  return cached;
}
