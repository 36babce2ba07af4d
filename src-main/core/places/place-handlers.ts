import type { HandlersFor } from '../registry/operation-registry.js';
import type { ReverseGeocoder } from './reverse-geocoder.js';

/**
 * Handlers of `places.*`. Synchronous (the first call loads the place list, ~0.5 s), so the extension
 * bridge may call them inline.
 *
 * @example
 * new OperationRegistry({ ...placeHandlers(new ReverseGeocoder()) });
 */
export function placeHandlers(geocoder: ReverseGeocoder): HandlersFor<'places'> {
  return {
    'places.reverseGeocode': (input) => geocoder.lookup(input.lat, input.lon),
  };
}
