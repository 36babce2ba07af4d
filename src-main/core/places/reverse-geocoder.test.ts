import { describe, expect, it } from 'vitest';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { ATTRIBUTIONS, placeHierarchy, ReverseGeocoder } from './reverse-geocoder.js';

const geo = new ReverseGeocoder();

describe('ReverseGeocoder', () => {
  it.each([
    ['the Eiffel Tower (not Neuilly-sur-Seine)', 48.8584, 2.2945, 'Paris', 'FR', 'France'],
    ['San Francisco, Union Square', 37.788, -122.4075, 'San Francisco', 'US', 'United States'],
    ['the Golden Gate Bridge', 37.8199, -122.4783, 'San Francisco', 'US', 'United States'],
    ['the Sydney Opera House', -33.8568, 151.2153, 'Sydney', 'AU', 'Australia'],
    ['Geneva', 46.2044, 6.1432, /^(Geneva|Genève)$/, 'CH', 'Switzerland'],
    ['Reykjavík', 64.1466, -21.9426, 'Reykjavík', 'IS', 'Iceland'],
    ['Tokyo (Shinjuku)', 35.6938, 139.7034, 'Tokyo', 'JP', 'Japan'],
  ])('%s', (_label, lat, lon, city, countryCode, country) => {
    const place = geo.lookup(lat, lon);
    expect(place).not.toBeNull();
    expect(place!.city).toMatch(city instanceof RegExp ? city : new RegExp(`^${city}$`));
    expect(place!.countryCode).toBe(countryCode);
    expect(place!.country).toBe(country);
    expect(place!.distanceKm).toBeLessThan(25);
  });

  it('gives regions by admin code, with names where known', () => {
    expect(geo.lookup(37.788, -122.4075)).toMatchObject({ region: 'California', regionCode: 'US.CA' });
    expect(geo.lookup(-33.8568, 151.2153)).toMatchObject({ region: 'New South Wales', regionCode: 'AU.02' });
    const paris = geo.lookup(48.8584, 2.2945)!;
    expect(paris).toMatchObject({ region: null, regionCode: 'FR.11' });
    expect(placeHierarchy(paris)).toEqual(['France', 'FR.11', 'Paris']);
  });

  it('finds no place at sea, or far from any place', () => {
    expect(geo.lookup(0, -30)).toBeNull(); // mid-Atlantic
    expect(geo.lookup(-45, -140)).toBeNull(); // South Pacific
    expect(geo.lookup(Number.NaN, 0)).toBeNull();
  });

  it('credits GeoNames', () => {
    expect(ATTRIBUTIONS[0]).toMatchObject({ name: 'GeoNames', licence: 'CC BY 4.0' });
  });

  it('answers places.reverseGeocode through the registry', async () => {
    const t = await startTestCore();
    try {
      expect(await t.core.registry.call('places.reverseGeocode', { lat: 64.1466, lon: -21.9426 }, userCtx)).toMatchObject({ city: 'Reykjavík', countryCode: 'IS' });
      expect(await t.core.registry.call('places.reverseGeocode', { lat: 0, lon: -30 }, userCtx)).toBeNull();
      const bad = await t.core.registry.invoke('places.reverseGeocode', { lat: 91, lon: 0 }, userCtx);
      expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    } finally {
      await t.dispose();
    }
  });
});
