import type { HOOK_EVENTS } from '../../src-shared/extensions/manifest.js';
import type { Library } from '../../src-main/core/library/library.js';
import { GrantState } from '../permissions/grant-state.js';
import { ScopeSet } from '../permissions/scope-set.js';

export type HookEvent = (typeof HOOK_EVENTS)[number];
/** One hook event item: `{entryId}`, `{contentId}`, or for tags `{tagId, entryId | contentId}`. */
export type HookItem = { entryId?: string; contentId?: string; tagId?: string | null };

type Row = { uuid: string; location_id: string; rel_path: string; kind: 'file' | 'dir' | 'symlink' };

/**
 * Keeps the items an extension may see: the same rule as the bridge's PermissionGuard (an entry inside a folder
 * granted for ReadEntries and matching its glob; a content with at least one such copy). Nothing when the
 * extension is not active or has no ReadEntries grant. A content item (`content.onDidIdentify`) gets the `entryId`
 * of its first copy the extension may see, so the extension can read it (EXIF, host tasks) without a search. Grants are read fresh on every call (this runs on the
 * core's connection, where the guard's data_version check would not see this process's own commits).
 *
 * @example
 * filterHookItems(lib, 'com.example.hello', 'entries.onDidCreate', [{ entryId }]) // [] outside its folders
 * filterHookItems(lib, 'com.example.hello', 'content.onDidIdentify', [{ contentId }]) // [{ contentId, entryId }]
 */
export function filterHookItems(lib: Library, extensionId: string, _event: HookEvent, items: readonly HookItem[]): HookItem[] {
  const state = new GrantState(lib.raw, extensionId);
  const scope = new ScopeSet(
    state.effective('ReadEntries').map((e) => ({ scopes: e.grant.scopes, glob: e.permission.type === 'ReadEntries' ? e.permission.glob : null })),
  );
  if (scope.isEmpty) return [];
  const entry = lib.raw.prepare('SELECT uuid, location_id, rel_path, kind FROM main.entries WHERE uuid = ?');
  const copies = lib.raw.prepare('SELECT uuid, location_id, rel_path, kind FROM main.entries WHERE content_uuid = ? ORDER BY id');
  return items.flatMap((item): HookItem[] => {
    if (typeof item.entryId === 'string' && typeof item.contentId !== 'string') {
      const row = entry.get(item.entryId) as Row | undefined;
      return row !== undefined && scope.covers(row.location_id, row.rel_path, row.kind) ? [item] : [];
    }
    if (typeof item.contentId === 'string') {
      const visible = (copies.all(item.contentId) as Row[]).find((r) => scope.covers(r.location_id, r.rel_path, r.kind));
      return visible ? [{ ...item, entryId: visible.uuid }] : [];
    }
    return [];
  });
}
