import { CairnError } from '../../src-shared/errors.js';
import type { Manifest, Setting } from '../../src-shared/extensions/manifest.js';

/** Setting values by key; each value is a boolean, number or string as the manifest declares. */
export type SettingValues = Record<string, boolean | number | string>;

/** The manifest's defaults for every declared setting. */
export function defaultSettings(manifest: Pick<Manifest, 'settings'>): SettingValues {
  return Object.fromEntries(Object.entries(manifest.settings).map(([key, s]) => [key, s.default]));
}

/**
 * Checks new values against the manifest's declarations: known keys only, the declared type, `min`/`max`
 * for numbers, `maxLength` for strings, one of `options` for enums. Returns the checked values.
 *
 * Failure modes: `VALIDATION` naming every bad key, e.g. `threshold: must be at most 1 (got 5)`.
 *
 * @example
 * validateSettings(manifest, { threshold: 0.5 }) // { threshold: 0.5 }
 */
export function validateSettings(manifest: Pick<Manifest, 'settings'>, values: Record<string, unknown>): SettingValues {
  const problems: string[] = [];
  const out: SettingValues = {};
  for (const [key, value] of Object.entries(values)) {
    const decl = Object.prototype.hasOwnProperty.call(manifest.settings, key) ? manifest.settings[key] : undefined;
    if (!decl) {
      problems.push(`${key}: not a setting of this extension`);
      continue;
    }
    const problem = settingProblem(decl, value);
    if (problem) problems.push(`${key}: ${problem}`);
    else out[key] = value as boolean | number | string;
  }
  if (problems.length > 0) throw new CairnError('VALIDATION', `Invalid settings: ${problems.join('; ')}.`);
  return out;
}

function settingProblem(decl: Setting, value: unknown): string | null {
  switch (decl.type) {
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (decl.min !== undefined && value < decl.min) return `must be at least ${decl.min} (got ${value})`;
      if (decl.max !== undefined && value > decl.max) return `must be at most ${decl.max} (got ${value})`;
      return null;
    case 'string':
      if (typeof value !== 'string') return 'must be text';
      if (value.length > (decl.maxLength ?? 1000)) return `must be at most ${decl.maxLength ?? 1000} characters`;
      return null;
    case 'enum':
      return typeof value === 'string' && decl.options.includes(value) ? null : `must be one of ${decl.options.map((o) => JSON.stringify(o)).join(', ')}`;
  }
}

/**
 * The values an extension runs with: defaults, overlaid with stored values that still fit the manifest
 * (values of removed settings, or that no longer validate after an upgrade, fall back to the default).
 *
 * @example
 * effectiveSettings(manifest, { threshold: 0.9, gone: 1 }) // { threshold: 0.9, mode: 'fast' }
 */
export function effectiveSettings(manifest: Pick<Manifest, 'settings'>, stored: Record<string, unknown>): SettingValues {
  const out = defaultSettings(manifest);
  for (const [key, value] of Object.entries(stored)) {
    const decl = Object.prototype.hasOwnProperty.call(manifest.settings, key) ? manifest.settings[key] : undefined;
    if (decl && settingProblem(decl, value) === null) out[key] = value as boolean | number | string;
  }
  return out;
}

/**
 * The Extism config strings a plugin starts with: `settings` holds every effective setting as one JSON
 * object (what the SDK's `config.settings<T>()` reads), and `setting.<key>` holds each value on its own
 * (`true`, `42`, or the raw string) for guests that read single keys.
 *
 * @example
 * settingsToConfig(manifest, { threshold: 0.9 }) // { settings: '{"threshold":0.9}', 'setting.threshold': '0.9' }
 */
export function settingsToConfig(manifest: Pick<Manifest, 'settings'>, stored: Record<string, unknown>): Record<string, string> {
  const values = effectiveSettings(manifest, stored);
  const config: Record<string, string> = { settings: JSON.stringify(values) };
  for (const [key, value] of Object.entries(values)) config[`setting.${key}`] = String(value);
  return config;
}
