import { coreActionParams, type ActionChange, type ActionConflict } from '../../../src-shared/contract/index.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';
import { ensureMetadata, type MetadataTarget } from '../metadata/user-metadata.js';
import { defineAction, type ActionContext } from './define-action.js';
import { probeTag, type Probe } from './fingerprint.js';

type Scope = 'entry' | 'content';
interface TagTarget {
  entryId: string;
  path: string;
  target: MetadataTarget;
}

/** Stored tag application rows (for undoing an untag). */
interface RemovedApplication {
  target: MetadataTarget;
  source: string;
  source_id: string | null;
  confidence: number | null;
  created_at: string;
}

function targetKey(t: MetadataTarget): string {
  return 'entryUuid' in t ? `e:${t.entryUuid}` : `c:${t.contentUuid}`;
}

/**
 * Resolves the selected entries to distinct metadata targets (content scope: several copies share one),
 * listing missing entries and entries without content as conflicts. Probes each entry's row.
 */
function resolveTargets(lib: Library, entryIds: readonly string[], scope: Scope) {
  const targets: TagTarget[] = [];
  const conflicts: ActionConflict[] = [];
  const fingerprint: Probe[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  for (const entryId of new Set(entryIds)) {
    const row = lib.raw
      .prepare('SELECT uuid, location_id, rel_path, kind, size, modified_at, inode, content_uuid FROM entries WHERE uuid = ?')
      .get(entryId) as { uuid: string; location_id: string; rel_path: string; kind: string; size: number; modified_at: number | null; inode: string | null; content_uuid: string | null } | undefined;
    fingerprint.push({
      kind: 'entry',
      entryId,
      label: row?.rel_path ?? entryId,
      seen: row
        ? { locationId: row.location_id, relPath: row.rel_path, kind: row.kind, size: row.size, modifiedAt: row.modified_at, inode: row.inode, contentId: row.content_uuid }
        : null,
    });
    if (!row) {
      conflicts.push({ code: 'MISSING', message: `No entry with id ${entryId} in the library.`, entryId });
      continue;
    }
    if (scope === 'content' && !row.content_uuid) {
      conflicts.push({ code: 'NO_CONTENT', message: `"${row.rel_path}" has no content identity yet (folders never do); use entry scope.`, entryId, path: row.rel_path });
      continue;
    }
    const target: MetadataTarget = scope === 'entry' ? { entryUuid: row.uuid } : { contentUuid: row.content_uuid! };
    if (seen.has(targetKey(target))) {
      duplicates++;
      continue;
    }
    seen.add(targetKey(target));
    targets.push({ entryId, path: row.rel_path, target });
  }
  return { targets, conflicts, fingerprint, duplicates };
}

function hasTag(lib: Library, tagId: string, target: MetadataTarget): boolean {
  const [column, value] = 'entryUuid' in target ? ['entry_uuid', target.entryUuid] : ['content_uuid', target.contentUuid];
  return !!lib.raw
    .prepare(`SELECT 1 FROM tag_applications ta JOIN user_metadata m ON m.id = ta.metadata_id WHERE ta.tag_id = ? AND m.${column} = ?`)
    .get(tagId, value);
}

function tagName(lib: Library, tagId: string): string | null {
  return (lib.raw.prepare('SELECT name FROM tags WHERE id = ?').get(tagId) as { name: string } | undefined)?.name ?? null;
}

function sourceOf(ctx: ActionContext): { source: 'user' | 'extension'; sourceId: string | null } {
  return ctx.caller.kind === 'extension' ? { source: 'extension', sourceId: ctx.caller.extensionId } : { source: 'user', sourceId: null };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * `tags.apply`: tag many entries (content scope: every copy of their bytes). Items already tagged are
 * counted as unchanged. Undo removes exactly the applications this commit created.
 *
 * Preview: `{ kind: 'tag.apply', tagId, entryId, path, scope }` per distinct target.
 */
export const tagApplyAction = defineAction({
  name: 'tags.apply',
  owner: 'core',
  title: 'Tag items',
  summary: 'Apply a tag to many entries or their contents',
  reversible: true,
  params: coreActionParams['tags.apply'],
  affects: ['tags', 'entries'],
  preview(ctx, params) {
    const { lib } = ctx;
    const name = tagName(lib, params.tagId);
    const { targets, conflicts, fingerprint, duplicates } = resolveTargets(lib, params.entryIds, params.scope);
    fingerprint.unshift(probeTag(lib, params.tagId));
    if (name === null) conflicts.unshift({ code: 'MISSING', message: `No tag with id ${params.tagId}.` });
    const changes: ActionChange[] = [];
    let unchanged = duplicates;
    for (const t of targets) {
      if (name !== null && hasTag(lib, params.tagId, t.target)) {
        unchanged++;
        continue;
      }
      changes.push({ kind: 'tag.apply', tagId: params.tagId, entryId: t.entryId, path: t.path, scope: params.scope, description: `tag "${t.path}" with "${name ?? params.tagId}"` });
    }
    return {
      summary: `Tag ${plural(changes.length, 'item')} with "${name ?? params.tagId}"${unchanged ? ` (${unchanged} already tagged)` : ''}`,
      changes,
      conflicts,
      reversible: true,
      fingerprint,
      targets: [params.tagId, ...params.entryIds],
      unchanged,
      data: null,
    };
  },
  commit(ctx, plan) {
    const { lib, services } = ctx;
    const { source, sourceId } = sourceOf(ctx);
    const created = lib.raw.transaction(() => {
      const insert = lib.raw.prepare(
        `INSERT INTO tag_applications (tag_id, metadata_id, source, source_id, confidence, created_at, hlc, device_id)
         VALUES (?, ?, ?, ?, NULL, ?, ?, ?) ON CONFLICT (tag_id, metadata_id) DO NOTHING`,
      );
      const now = new Date().toISOString();
      const made: MetadataTarget[] = [];
      for (const change of plan.changes) {
        if (change.kind !== 'tag.apply') continue;
        const target = targetOf(lib, change.entryId, change.scope);
        const metadataId = ensureMetadata(lib, target, services.clock, services.deviceId);
        if (insert.run(change.tagId, metadataId, source, sourceId, now, services.clock.now(), services.deviceId).changes > 0) made.push(target);
      }
      return made;
    })();
    return { result: { applied: created.length }, undo: { tagId: plan.params.tagId, targets: created }, after: [probeTag(lib, plan.params.tagId)] };
  },
  verify(ctx, plan) {
    return plan.changes.flatMap((c) =>
      c.kind === 'tag.apply' && !hasTag(ctx.lib, c.tagId, targetOf(ctx.lib, c.entryId, c.scope)) ? [`"${c.path}" is not tagged`] : [],
    );
  },
  undo(ctx, undo: { tagId: string; targets: MetadataTarget[] }) {
    ctx.lib.raw.transaction(() => {
      for (const target of undo.targets) deleteApplication(ctx.lib, undo.tagId, target);
    })();
    return { removed: undo.targets.length };
  },
});

/**
 * `tags.remove`: untag many entries (or their contents). Items without the tag are unchanged. Undo puts
 * back the removed applications with their original source, confidence and date.
 *
 * Preview: `{ kind: 'tag.remove', tagId, entryId, path, scope }` per distinct target.
 */
export const tagRemoveAction = defineAction({
  name: 'tags.remove',
  owner: 'core',
  title: 'Untag items',
  summary: 'Remove a tag from many entries or their contents',
  reversible: true,
  params: coreActionParams['tags.remove'],
  affects: ['tags', 'entries'],
  preview(ctx, params) {
    const { lib } = ctx;
    const name = tagName(lib, params.tagId);
    const { targets, conflicts, fingerprint, duplicates } = resolveTargets(lib, params.entryIds, params.scope);
    fingerprint.unshift(probeTag(lib, params.tagId));
    if (name === null) conflicts.unshift({ code: 'MISSING', message: `No tag with id ${params.tagId}.` });
    const changes: ActionChange[] = [];
    let unchanged = duplicates;
    for (const t of targets) {
      if (name === null || !hasTag(lib, params.tagId, t.target)) {
        unchanged++;
        continue;
      }
      changes.push({ kind: 'tag.remove', tagId: params.tagId, entryId: t.entryId, path: t.path, scope: params.scope, description: `remove "${name}" from "${t.path}"` });
    }
    return {
      summary: `Remove "${name ?? params.tagId}" from ${plural(changes.length, 'item')}${unchanged ? ` (${unchanged} not tagged)` : ''}`,
      changes,
      conflicts,
      reversible: true,
      fingerprint,
      targets: [params.tagId, ...params.entryIds],
      unchanged,
      data: null,
    };
  },
  commit(ctx, plan) {
    const { lib } = ctx;
    const removed = lib.raw.transaction(() => {
      const out: RemovedApplication[] = [];
      for (const change of plan.changes) {
        if (change.kind !== 'tag.remove') continue;
        const target = targetOf(lib, change.entryId, change.scope);
        const row = deleteApplication(lib, change.tagId, target);
        if (row) out.push({ target, ...row });
      }
      return out;
    })();
    return { result: { removed: removed.length }, undo: { tagId: plan.params.tagId, removed }, after: [probeTag(lib, plan.params.tagId)] };
  },
  verify(ctx, plan) {
    return plan.changes.flatMap((c) =>
      c.kind === 'tag.remove' && hasTag(ctx.lib, c.tagId, targetOf(ctx.lib, c.entryId, c.scope)) ? [`"${c.path}" still has the tag`] : [],
    );
  },
  undo(ctx, undo: { tagId: string; removed: RemovedApplication[] }) {
    const { lib, services } = ctx;
    lib.raw.transaction(() => {
      const insert = lib.raw.prepare(
        `INSERT INTO tag_applications (tag_id, metadata_id, source, source_id, confidence, created_at, hlc, device_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tag_id, metadata_id) DO NOTHING`,
      );
      for (const r of undo.removed) {
        const metadataId = ensureMetadata(lib, r.target, services.clock, services.deviceId);
        insert.run(undo.tagId, metadataId, r.source, r.source_id, r.confidence, r.created_at, services.clock.now(), services.deviceId);
      }
    })();
    return { restored: undo.removed.length };
  },
});

function targetOf(lib: Library, entryId: string, scope: Scope): MetadataTarget {
  if (scope === 'entry') return { entryUuid: entryId };
  const row = lib.raw.prepare('SELECT content_uuid FROM entries WHERE uuid = ?').get(entryId) as { content_uuid: string | null } | undefined;
  if (!row?.content_uuid) throw new CairnError('CONFLICT', `Entry ${entryId} has no content identity.`);
  return { contentUuid: row.content_uuid };
}

/** Deletes one application and returns what it was, or null when there was none. */
function deleteApplication(lib: Library, tagId: string, target: MetadataTarget): Omit<RemovedApplication, 'target'> | null {
  const [column, value] = 'entryUuid' in target ? ['entry_uuid', target.entryUuid] : ['content_uuid', target.contentUuid];
  const row = lib.raw
    .prepare(
      `SELECT ta.id, ta.source, ta.source_id, ta.confidence, ta.created_at FROM tag_applications ta JOIN user_metadata m ON m.id = ta.metadata_id
       WHERE ta.tag_id = ? AND m.${column} = ?`,
    )
    .get(tagId, value) as (Omit<RemovedApplication, 'target'> & { id: number }) | undefined;
  if (!row) return null;
  lib.raw.prepare('DELETE FROM tag_applications WHERE id = ?').run(row.id);
  const { id: _id, ...rest } = row;
  return rest;
}
