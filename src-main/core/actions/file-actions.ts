import path from 'node:path';
import { coreActionParams, type ActionChange, type ActionConflict } from '../../../src-shared/contract/index.js';
import { CairnError, toWireError } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';
import { defineAction } from './define-action.js';
import { deleteSubtree, getEntryRow, getFolderAt, relocateEntry, restoreSnapshot, snapshotSubtree, type EntryRow, type EntrySnapshot } from './entry-rows.js';
import { fileState, probeEntry, probeLocation, probePath, type Probe } from './fingerprint.js';
import { folderStaysInside, joinRel, locationPath, normalizeRelPath, parentRel, resolveInLocation } from './location-paths.js';
import type { TrashedItem } from './os-trash.js';
import { lstatOrNull, renameNoOverwrite } from './safe-fs.js';

/** One file move (a rename is a move within the same folder). */
interface Move {
  entryId: string;
  locationId: string;
  from: string;
  to: string;
}

interface Located {
  row: EntryRow;
  root: string;
}

/** Finds an entry and its location folder, or explains why it cannot be acted on. */
function locate(lib: Library, entryId: string): Located | ActionConflict {
  const row = getEntryRow(lib, entryId);
  if (!row) return { code: 'MISSING', message: `No entry with id ${entryId} in the library.`, entryId };
  const root = locationPath(lib, row.location_id);
  if (root === null) return { code: 'MISSING', message: `The location of "${row.rel_path}" is gone.`, entryId, path: row.rel_path };
  if (!fileState(lib, row.location_id, row.rel_path)) {
    return { code: 'MISSING', message: `"${row.rel_path}" is in the library but not on disk (re-index the location).`, entryId, path: row.rel_path };
  }
  if (!folderStaysInside(root, path.dirname(resolveInLocation(root, row.rel_path)))) {
    return { code: 'OUTSIDE_LOCATION', message: `"${row.rel_path}" lies behind a symlink that leads outside its location.`, entryId, path: row.rel_path };
  }
  return { row, root };
}

function isConflict(x: Located | ActionConflict): x is ActionConflict {
  return 'code' in x;
}

/** Conflicts when `to` is taken, in the library or on disk (a case-only rename of the same file is fine). */
function destinationConflicts(lib: Library, root: string, move: Move): ActionConflict[] {
  const out: ActionConflict[] = [];
  const taken = lib.raw.prepare('SELECT uuid FROM entries WHERE location_id = ? AND rel_path = ?').get(move.locationId, move.to) as { uuid: string } | undefined;
  const onDisk = lstatOrNull(resolveInLocation(root, move.to));
  const self = lstatOrNull(resolveInLocation(root, move.from));
  const sameFile = onDisk && self && onDisk.ino === self.ino && onDisk.dev === self.dev;
  if ((taken && taken.uuid !== move.entryId) || (onDisk && !sameFile)) {
    out.push({ code: 'EXISTS', message: `"${move.to}" already exists; Cairn never overwrites.`, entryId: move.entryId, path: move.to });
  }
  return out;
}

/** Applies moves on disk one by one; if one fails, the ones done are moved back and the error is thrown. */
function moveOnDisk(lib: Library, moves: readonly Move[]): void {
  const done: Move[] = [];
  try {
    for (const m of moves) {
      const root = locationPath(lib, m.locationId)!;
      renameNoOverwrite(resolveInLocation(root, m.from), resolveInLocation(root, m.to));
      done.push(m);
    }
  } catch (error) {
    rollbackOnDisk(lib, done);
    throw error;
  }
}

function rollbackOnDisk(lib: Library, done: readonly Move[]): void {
  for (const m of [...done].reverse()) {
    const root = locationPath(lib, m.locationId)!;
    try {
      renameNoOverwrite(resolveInLocation(root, m.to), resolveInLocation(root, m.from));
    } catch {
      // Best effort: the original error is what the caller needs; the audit row records the failure.
    }
  }
}

/** Moves files on disk, then their entry rows in one transaction; if the rows fail, the files go back. */
function applyMoves(lib: Library, moves: readonly Move[]): void {
  moveOnDisk(lib, moves);
  try {
    lib.raw.transaction(() => {
      for (const m of moves) {
        const row = getEntryRow(lib, m.entryId);
        if (!row) throw new CairnError('CONFLICT', `Entry ${m.entryId} left the library during the move.`);
        const folder = parentRel(m.to);
        const parent = folder === '' ? null : getFolderAt(lib, m.locationId, folder);
        if (parent === undefined) throw new CairnError('CONFLICT', `The folder "${folder}" is no longer in the library.`);
        relocateEntry(lib, row, m.to, parent?.id ?? null);
      }
    })();
  } catch (error) {
    rollbackOnDisk(lib, moves);
    throw error;
  }
}

/** Problems with moves that should have happened. */
function verifyMoves(lib: Library, moves: readonly Move[]): string[] {
  const problems: string[] = [];
  for (const m of moves) {
    if (!fileState(lib, m.locationId, m.to)) problems.push(`"${m.to}" is not on disk`);
    if (fileState(lib, m.locationId, m.from)) problems.push(`"${m.from}" is still on disk`);
    const row = getEntryRow(lib, m.entryId);
    if (row?.rel_path !== m.to) problems.push(`the entry of "${m.from}" is at "${row?.rel_path ?? '(gone)'}", not "${m.to}"`);
  }
  return problems;
}

/** After a move: the files sit at their new paths and the old paths are free (what undo needs). */
function afterMoves(lib: Library, moves: readonly Move[]): Probe[] {
  return moves.flatMap((m) => [...probeEntry(lib, m.entryId), ...probePath(lib, m.locationId, m.from)]);
}

function movesOf(changes: readonly ActionChange[]): Move[] {
  return changes.flatMap((c) => (c.kind === 'file.move' || c.kind === 'file.rename' ? [{ entryId: c.entryId, locationId: c.locationId, from: c.from, to: c.to }] : []));
}

function reverse(moves: readonly Move[]): Move[] {
  return [...moves].reverse().map((m) => ({ ...m, from: m.to, to: m.from }));
}

/**
 * `files.rename`: rename one file or folder in place. Never overwrites: a taken name is a conflict.
 * Undo renames it back (refused if either name changed hands since).
 *
 * Preview: `{ kind: 'file.rename', entryId, locationId, from, to }`.
 */
export const renameAction = defineAction({
  name: 'files.rename',
  owner: 'core',
  title: 'Rename',
  summary: 'Rename a file or folder (never overwrites)',
  reversible: true,
  params: coreActionParams['files.rename'],
  affects: ['entries'],
  preview(ctx, params) {
    const { lib } = ctx;
    const found = locate(lib, params.entryId);
    const fingerprint: Probe[] = probeEntry(lib, params.entryId);
    if (isConflict(found)) {
      return { summary: `Rename to "${params.name}"`, changes: [], conflicts: [found], reversible: true, fingerprint, targets: [params.entryId], data: null };
    }
    const { row, root } = found;
    const move: Move = { entryId: row.uuid, locationId: row.location_id, from: row.rel_path, to: joinRel(parentRel(row.rel_path), params.name) };
    const conflicts: ActionConflict[] = [];
    if (move.to === move.from) conflicts.push({ code: 'SAME_PLACE', message: `"${row.rel_path}" already has that name.`, entryId: row.uuid, path: row.rel_path });
    else conflicts.push(...destinationConflicts(lib, root, move));
    fingerprint.push(probeLocation(lib, row.location_id), ...probePath(lib, row.location_id, move.to));
    return {
      summary: `Rename "${row.name}" to "${params.name}"`,
      changes: [{ kind: 'file.rename', ...move, description: `rename "${move.from}" to "${move.to}"` }],
      conflicts,
      reversible: true,
      fingerprint,
      targets: [row.uuid],
      data: null,
    };
  },
  commit(ctx, plan) {
    const moves = movesOf(plan.changes);
    applyMoves(ctx.lib, moves);
    return { result: { renamed: moves.length, to: moves[0]?.to }, undo: { moves }, after: afterMoves(ctx.lib, moves) };
  },
  verify: (ctx, plan) => verifyMoves(ctx.lib, movesOf(plan.changes)),
  undo(ctx, undo: { moves: Move[] }) {
    applyMoves(ctx.lib, reverse(undo.moves));
    return { renamed: undo.moves.length };
  },
});

/**
 * `files.move`: move files and folders into another folder of the same location (`''`: its top level).
 * The destination must be an indexed folder inside the location (symlinks resolved). Taken names, items
 * from other locations, a folder moved into itself, and an item selected together with a folder holding
 * it are conflicts. Undo moves everything back.
 *
 * Preview: `{ kind: 'file.move', entryId, locationId, from, to }` per item; items already there are unchanged.
 */
export const moveAction = defineAction({
  name: 'files.move',
  owner: 'core',
  title: 'Move',
  summary: 'Move files and folders to another folder of their location (never overwrites)',
  reversible: true,
  params: coreActionParams['files.move'],
  affects: ['entries'],
  preview(ctx, params) {
    const { lib } = ctx;
    const conflicts: ActionConflict[] = [];
    const changes: ActionChange[] = [];
    const fingerprint: Probe[] = [];
    const ids = [...new Set(params.entryIds)];
    let destination: string | null = null;
    try {
      destination = normalizeRelPath(params.destination);
    } catch (error) {
      conflicts.push({ code: 'OUTSIDE_LOCATION', message: (error as Error).message, path: params.destination });
    }
    const located: Located[] = [];
    for (const id of ids) {
      fingerprint.push(...probeEntry(lib, id));
      const found = locate(lib, id);
      if (isConflict(found)) conflicts.push(found);
      else located.push(found);
    }
    const locationId = located[0]?.row.location_id;
    const root = located[0]?.root;
    let unchanged = 0;
    if (destination !== null && locationId && root) {
      fingerprint.push(probeLocation(lib, locationId));
      const destAbs = resolveInLocation(root, destination);
      const destState = fileState(lib, locationId, destination);
      fingerprint.push(...probePath(lib, locationId, destination));
      if (!destState || destState.kind !== 'dir') {
        conflicts.push({ code: 'MISSING', message: `The destination folder "${destination || '(top level)'}" does not exist on disk.`, path: destination });
      } else if (!folderStaysInside(root, destAbs)) {
        conflicts.push({ code: 'OUTSIDE_LOCATION', message: `The destination "${destination}" leads outside the location.`, path: destination });
      } else if (destination !== '' && !getFolderAt(lib, locationId, destination)) {
        conflicts.push({ code: 'NOT_INDEXED', message: `The destination folder "${destination}" is not in the library yet; index the location first.`, path: destination });
      }
      const targets = new Map<string, string>();
      const selected = new Set(located.map((l) => l.row.rel_path));
      for (const { row } of located) {
        if (row.location_id !== locationId) {
          conflicts.push({ code: 'OTHER_LOCATION', message: `"${row.rel_path}" is in another location; move within one location at a time.`, entryId: row.uuid, path: row.rel_path });
          continue;
        }
        if ([...selected].some((s) => s !== row.rel_path && row.rel_path.startsWith(`${s}/`))) {
          conflicts.push({ code: 'NESTED', message: `"${row.rel_path}" is inside another selected folder; select one or the other.`, entryId: row.uuid, path: row.rel_path });
          continue;
        }
        if (row.kind === 'dir' && (destination === row.rel_path || destination.startsWith(`${row.rel_path}/`))) {
          conflicts.push({ code: 'INTO_ITSELF', message: `Cannot move the folder "${row.rel_path}" into itself.`, entryId: row.uuid, path: row.rel_path });
          continue;
        }
        const move: Move = { entryId: row.uuid, locationId, from: row.rel_path, to: joinRel(destination, row.name) };
        if (move.to === move.from) {
          unchanged++;
          continue;
        }
        const clash = targets.get(move.to);
        if (clash) {
          conflicts.push({ code: 'EXISTS', message: `"${clash}" and "${move.from}" would both become "${move.to}".`, entryId: row.uuid, path: move.to });
          continue;
        }
        targets.set(move.to, move.from);
        conflicts.push(...destinationConflicts(lib, root, move));
        fingerprint.push(...probePath(lib, locationId, move.to));
        changes.push({ kind: 'file.move', ...move, description: `move "${move.from}" to "${move.to}"` });
      }
    }
    return {
      summary: `Move ${changes.length} item${changes.length === 1 ? '' : 's'} to "${destination === '' ? '(top level)' : (destination ?? params.destination)}"`,
      changes,
      conflicts,
      reversible: true,
      fingerprint,
      targets: ids,
      unchanged,
      data: null,
    };
  },
  commit(ctx, plan) {
    const moves = movesOf(plan.changes);
    applyMoves(ctx.lib, moves);
    return { result: { moved: moves.length }, undo: { moves }, after: afterMoves(ctx.lib, moves) };
  },
  verify: (ctx, plan) => verifyMoves(ctx.lib, movesOf(plan.changes)),
  undo(ctx, undo: { moves: Move[] }) {
    applyMoves(ctx.lib, reverse(undo.moves));
    return { moved: undo.moves.length };
  },
});

interface TrashUndo {
  items: { locationId: string; relPath: string; item: TrashedItem; snapshot: EntrySnapshot }[];
}

/**
 * `files.trash`: move files and folders to the operating system's trash, never a hard delete, and remove
 * their entries (and everything below a folder) from the library. Undo, where the platform lets Cairn
 * restore (freedesktop trash on Linux), moves them back and restores their entries with their tags, notes
 * and collection memberships. On macOS and Windows the preview says `reversible: false`.
 *
 * Preview: `{ kind: 'file.trash', entryId, locationId, path, isDir }` per item.
 */
export const trashAction = defineAction({
  name: 'files.trash',
  owner: 'core',
  title: 'Move to trash',
  summary: 'Move files and folders to the system trash (never a hard delete)',
  reversible: true,
  params: coreActionParams['files.trash'],
  affects: ['entries', 'tags', 'collections'],
  preview(ctx, params) {
    const { lib, services } = ctx;
    const conflicts: ActionConflict[] = [];
    const changes: ActionChange[] = [];
    const fingerprint: Probe[] = [];
    const ids = [...new Set(params.entryIds)];
    const located: Located[] = [];
    for (const id of ids) {
      fingerprint.push(...probeEntry(lib, id));
      const found = locate(lib, id);
      if (isConflict(found)) conflicts.push(found);
      else located.push(found);
    }
    const selected = located.map((l) => `${l.row.location_id}:${l.row.rel_path}`);
    for (const { row, root } of located) {
      const key = `${row.location_id}:${row.rel_path}`;
      if (selected.some((s) => s !== key && key.startsWith(`${s}/`))) {
        conflicts.push({ code: 'NESTED', message: `"${row.rel_path}" is inside another selected folder; it goes with it.`, entryId: row.uuid, path: row.rel_path });
        continue;
      }
      const problem = services.trash.problem(resolveInLocation(root, row.rel_path));
      if (problem) {
        conflicts.push({ code: 'NOT_SUPPORTED', message: `Cannot move "${row.rel_path}" to the trash: ${problem}. Nothing will be deleted.`, entryId: row.uuid, path: row.rel_path });
        continue;
      }
      const below = row.kind === 'dir'
        ? (lib.raw.prepare('SELECT count(*) AS n FROM entries WHERE location_id = ? AND substr(rel_path, 1, length(?)) = ?').get(row.location_id, `${row.rel_path}/`, `${row.rel_path}/`) as { n: number }).n
        : 0;
      changes.push({
        kind: 'file.trash',
        entryId: row.uuid,
        locationId: row.location_id,
        path: row.rel_path,
        isDir: row.kind === 'dir',
        description: `move "${row.rel_path}"${below ? ` and the ${below} items in it` : ''} to the trash`,
      });
    }
    const reversible = services.trash.canRestore;
    return {
      summary: `Move ${changes.length} item${changes.length === 1 ? '' : 's'} to the ${reversible ? 'trash' : `trash (${services.trash.platform}: undo is not possible from Cairn)`}`,
      changes,
      conflicts,
      reversible,
      fingerprint,
      targets: ids,
      data: null,
    };
  },
  async commit(ctx, plan) {
    const { lib, services } = ctx;
    const items: TrashUndo['items'] = [];
    try {
      for (const change of plan.changes) {
        if (change.kind !== 'file.trash') continue;
        const row = getEntryRow(lib, change.entryId)!;
        const snapshot = snapshotSubtree(lib, row);
        const abs = resolveInLocation(locationPath(lib, change.locationId)!, change.path);
        const item = await services.trash.trash(abs);
        items.push({ locationId: change.locationId, relPath: change.path, item, snapshot });
      }
      lib.raw.transaction(() => {
        for (const { snapshot } of items) {
          const row = getEntryRow(lib, String(snapshot.entries[0]!.uuid));
          if (row) deleteSubtree(lib, row);
        }
      })();
    } catch (error) {
      // Put back what already went to the trash, where the platform allows; the error is what matters.
      for (const { item } of items.reverse()) await services.trash.restore(item).catch(() => undefined);
      throw error;
    }
    const after = items.flatMap((i) => probePath(lib, i.locationId, i.relPath));
    return { result: { trashed: items.length, platform: services.trash.platform }, undo: { items } satisfies TrashUndo, after };
  },
  verify(ctx, plan, outcome) {
    const { lib, services } = ctx;
    const problems: string[] = [];
    for (const i of (outcome.undo as TrashUndo).items) {
      if (fileState(lib, i.locationId, i.relPath)) problems.push(`"${i.relPath}" is still on disk`);
      if (lib.raw.prepare('SELECT 1 FROM entries WHERE location_id = ? AND rel_path = ?').get(i.locationId, i.relPath)) problems.push(`"${i.relPath}" is still in the library`);
      if (!services.trash.contains(i.item)) problems.push(`"${i.relPath}" is not in the trash`);
    }
    return problems;
  },
  async undo(ctx, undo: TrashUndo) {
    const { lib, services } = ctx;
    // Check every item before restoring any, so that a refusal leaves everything as it was.
    for (const i of undo.items) {
      if (!services.trash.contains(i.item)) throw new CairnError('NOT_FOUND', `"${i.relPath}" is no longer in the trash (was the trash emptied?). Nothing was restored.`);
      if (lstatOrNull(i.item.originalPath)) throw new CairnError('CONFLICT', `Something else is at "${i.relPath}" now. Nothing was restored.`);
    }
    const restored: string[] = [];
    for (const i of undo.items) {
      try {
        await services.trash.restore(i.item);
      } catch (error) {
        const done = restored.length ? ` (already back: ${restored.join(', ')})` : '';
        throw new CairnError(toWireError(error).code, `Cannot restore "${i.relPath}": ${(error as Error).message}${done}`);
      }
      restored.push(`"${i.relPath}"`);
    }
    try {
      lib.raw.transaction(() => {
        for (const i of undo.items) restoreSnapshot(lib, i.snapshot);
      })();
    } catch (error) {
      throw new CairnError('CONFLICT', `The files are back on disk, but their library entries could not be restored (${(error as Error).message}); re-index the location to pick them up.`);
    }
    return { restored: undo.items.length };
  },
});
