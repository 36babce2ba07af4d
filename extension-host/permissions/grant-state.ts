import type BetterSqlite3 from 'better-sqlite3';
import { Manifest, PermissionGrant, type Permission, type PermissionType } from '../../src-shared/extensions/manifest.js';

/** A declared permission together with the user's grant for it: both keys. */
export interface EffectivePermission {
  permission: Permission;
  grant: PermissionGrant;
}

/** What is known about the extension right now. */
export interface GrantSnapshot {
  /** Null when the extension is not installed, or its manifest no longer parses. */
  manifest: Manifest | null;
  /** Installed, enabled and in the `active` state. */
  active: boolean;
  /** Why it is not active, for error messages. */
  inactiveReason: string | null;
  grants: PermissionGrant[];
}

/**
 * The extension's manifest and grants as stored in the library (`extension_installs`, `extension_grants`),
 * re-read whenever SQLite's `PRAGMA data_version` says another connection committed, so a grant the user
 * revokes in the app applies to the extension's very next call. Cheap when nothing changed (one pragma).
 *
 * Failure modes: none thrown; unreadable rows count as "not installed" or "nothing granted".
 *
 * @example
 * const state = new GrantState(lib.raw, 'com.example.photos');
 * state.refresh();
 * state.effective('ReadEntries'); // [{ permission: { type: 'ReadEntries', glob: '**\/*.jpg', … }, grant: { scopes: […] } }]
 */
export class GrantState {
  readonly #db: BetterSqlite3.Database;
  readonly #extensionId: string;
  #version = -1;
  #snapshot: GrantSnapshot = { manifest: null, active: false, inactiveReason: 'not loaded', grants: [] };
  /** Bumped every time the grants were re-read, so dependants can rebuild caches. */
  generation = 0;

  constructor(db: BetterSqlite3.Database, extensionId: string) {
    this.#db = db;
    this.#extensionId = extensionId;
    this.refresh();
  }

  get snapshot(): GrantSnapshot {
    return this.#snapshot;
  }

  /** Re-reads the rows if another connection committed since the last read. Returns true when it re-read. */
  refresh(): boolean {
    const version = this.#db.pragma('data_version', { simple: true }) as number;
    if (version === this.#version) return false;
    this.#version = version;
    this.#snapshot = this.#read();
    this.generation++;
    return true;
  }

  /** Permissions of `type` that the manifest declares AND the user granted. */
  effective(type: PermissionType): EffectivePermission[] {
    const { manifest, grants, active } = this.#snapshot;
    if (!manifest || !active) return [];
    const out: EffectivePermission[] = [];
    for (const grant of grants) {
      const permission = manifest.permissions[grant.index];
      if (grant.granted && grant.type === type && permission?.type === type) out.push({ permission, grant });
    }
    return out;
  }

  /** Whether the manifest declares a permission of `type` at all (for error messages). */
  declares(type: PermissionType): boolean {
    return this.#snapshot.manifest?.permissions.some((p) => p.type === type) ?? false;
  }

  #read(): GrantSnapshot {
    const install = this.#db.prepare('SELECT manifest, enabled, state FROM extension_installs WHERE id = ?').get(this.#extensionId) as
      | { manifest: string; enabled: number; state: string }
      | undefined;
    if (!install) return { manifest: null, active: false, inactiveReason: 'it is not installed in this library', grants: [] };
    const manifest = safeParse(() => Manifest.parse(JSON.parse(install.manifest)));
    if (!manifest) return { manifest: null, active: false, inactiveReason: 'its stored manifest is invalid', grants: [] };
    const active = install.enabled === 1 && install.state === 'active';
    const inactiveReason = install.enabled !== 1 ? 'it is disabled' : install.state !== 'active' ? `it is ${install.state}` : null;
    const row = this.#db.prepare('SELECT grants FROM extension_grants WHERE extension_id = ?').get(this.#extensionId) as { grants: string } | undefined;
    const raw = row ? safeParse(() => JSON.parse(row.grants) as unknown) : [];
    const grants = Array.isArray(raw) ? raw.flatMap((g) => safeParse(() => PermissionGrant.parse(g)) ?? []) : [];
    return { manifest, active, inactiveReason, grants };
  }
}

function safeParse<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
