import { CairnError } from '../../../src-shared/errors.js';
import type { AiCategory, ModelPreference } from '../../../src-shared/contract/ai.js';
import { Manifest, PermissionGrant } from '../../../src-shared/extensions/manifest.js';
import type { Library } from '../library/library.js';
import type { Caller } from '../registry/operation-registry.js';

/** What a caller may do with models of one category. */
export interface ModelAccess {
  /** May the call reach a cloud model? */
  allowCloud: boolean;
  /** Who asked, for messages and records: `user` or the extension id. */
  who: string;
}

/**
 * Reads an extension's granted `UseModel(category, preference)` permissions from the library
 * (`extension_installs.manifest` and `extension_grants`, the same rows the bridge's permission guard reads).
 * Returns the most permissive granted preference, or null when the extension holds no active grant for
 * the category (not installed, disabled, held, declined, or not declared).
 *
 * @example
 * useModelGrant(lib, 'com.example.photos', 'llm'); // 'local' | 'cloud' | null
 */
export function useModelGrant(lib: Library, extensionId: string, category: AiCategory): ModelPreference | null {
  const install = lib.raw.prepare('SELECT manifest, enabled, state FROM extension_installs WHERE id = ?').get(extensionId) as
    | { manifest: string; enabled: number; state: string }
    | undefined;
  if (!install || install.enabled !== 1 || install.state !== 'active') return null;
  const manifest = Manifest.safeParse(safeJson(install.manifest));
  if (!manifest.success) return null;
  const row = lib.raw.prepare('SELECT grants FROM extension_grants WHERE extension_id = ?').get(extensionId) as { grants: string } | undefined;
  const raw = row ? safeJson(row.grants) : [];
  let best: ModelPreference | null = null;
  for (const candidate of Array.isArray(raw) ? raw : []) {
    const grant = PermissionGrant.safeParse(candidate);
    if (!grant.success || !grant.data.granted || grant.data.type !== 'UseModel') continue;
    const permission = manifest.data.permissions[grant.data.index];
    if (permission?.type !== 'UseModel' || permission.category !== category) continue;
    if (permission.preference === 'cloud') return 'cloud';
    best = 'local';
  }
  return best;
}

/**
 * Decides what a caller may do with a category of models. Users may use local and cloud models (calling is
 * their consent). An extension needs a granted UseModel permission for the category in the library it
 * names; its grant's preference decides whether cloud models are allowed. `requested: 'local'` narrows.
 *
 * Fails with `VALIDATION` (an extension call without libraryId) and `PERMISSION_DENIED` (no grant).
 *
 * @example
 * const access = modelAccess(ctx.caller, lib, 'llm', input.preference); // { allowCloud: false, who: 'com.example.photos' }
 */
export function modelAccess(caller: Caller, lib: Library | null, category: AiCategory, requested?: ModelPreference): ModelAccess {
  if (caller.kind === 'user') return { allowCloud: requested !== 'local', who: 'user' };
  if (!lib) throw new CairnError('VALIDATION', `An extension must name its library (libraryId) to use ${category} models.`);
  const granted = useModelGrant(lib, caller.extensionId, category);
  if (!granted) {
    throw new CairnError('PERMISSION_DENIED', `${caller.extensionId} has no granted UseModel(${category}) permission in this library.`);
  }
  return { allowCloud: granted === 'cloud' && requested !== 'local', who: caller.extensionId };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
