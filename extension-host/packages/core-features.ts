import type { CORE_FEATURES, Manifest } from '../../src-shared/extensions/manifest.js';

type CoreFeature = (typeof CORE_FEATURES)[number];

/**
 * The `required_features` this build of the core provides. A manifest may name any of
 * {@link CORE_FEATURES} (the schema refuses others); installing fails with `NOT_SUPPORTED` when it
 * requires one missing here. `ai` is on-device face detection, embeddings and reverse geocoding (as host
 * tasks); `network` is declared by the schema but not provided yet.
 *
 * @example
 * SUPPORTED_CORE_FEATURES.includes('models') // true
 */
export const SUPPORTED_CORE_FEATURES: readonly CoreFeature[] = ['models', 'blobs', 'tags', 'collections', 'jobs', 'actions', 'sidecars', 'events', 'ai'] as const;

/** The features a manifest requires that `supported` lacks (empty when it can be installed). */
export function missingFeatures(manifest: Pick<Manifest, 'required_features'>, supported: readonly string[] = SUPPORTED_CORE_FEATURES): string[] {
  return manifest.required_features.filter((f) => !supported.includes(f));
}
