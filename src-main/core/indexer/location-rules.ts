import { IndexerRules } from '../../../src-shared/contract/indexer.js';

/**
 * Reads the indexer rules from a location's `settings` JSON (`{"rules": {...}}`). Missing or malformed
 * settings give the defaults (every rule on), so a damaged settings column never stops indexing.
 *
 * @example
 * rulesFromSettings('{"rules":{"skipGit":false}}') // { skipSystemFiles: true, skipGit: false, skipNodeModules: true, respectGitignore: true }
 */
export function rulesFromSettings(settings: string | null | undefined): IndexerRules {
  let parsed: unknown;
  try {
    parsed = JSON.parse(settings ?? '{}');
  } catch {
    parsed = {};
  }
  const raw = typeof parsed === 'object' && parsed !== null ? (parsed as { rules?: unknown }).rules : undefined;
  const result = IndexerRules.safeParse(raw ?? {});
  return result.success ? result.data : IndexerRules.parse({});
}

/**
 * Returns `settings` with its rules replaced by `rules` (other keys kept).
 *
 * @example
 * settingsWithRules('{}', { skipGit: false }) // '{"rules":{"skipSystemFiles":true,"skipGit":false,...}}'
 */
export function settingsWithRules(settings: string | null | undefined, rules: Partial<IndexerRules>): { settings: string; rules: IndexerRules } {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(settings ?? '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) parsed = value as Record<string, unknown>;
  } catch {
    // replaced below
  }
  const merged = IndexerRules.parse({ ...rulesFromSettings(settings), ...rules });
  return { settings: JSON.stringify({ ...parsed, rules: merged }), rules: merged };
}
