import { CairnError } from '../../src-shared/errors.js';
import {
  FILE_PERMISSIONS,
  PERMISSION_TYPES,
  type FileScope,
  type Manifest,
  type Permission,
  type PermissionGrant,
  type PermissionType,
} from '../../src-shared/extensions/manifest.js';

/** Names one declared permission: its index in `manifest.permissions`, or its type when only one has it. */
export type PermissionRef = number | PermissionType;

/** What the user decided for one permission at install, consent or grant time. */
export interface GrantChoice {
  permission: PermissionRef;
  /** Default true. Declining a permission the manifest does not mark optional is refused. */
  granted?: boolean;
  /** Folders, for file permissions (ReadEntries, ReadSidecars, WriteSidecars). */
  scopes?: { locationId: string; subpath?: string }[];
}

/** A location of the library, for checking scopes. */
export interface LocationInfo {
  id: string;
  name: string;
  path: string;
}

export function isFilePermission(type: PermissionType): boolean {
  return FILE_PERMISSIONS.includes(type);
}

/**
 * The index of the permission `ref` names. Fails with `VALIDATION` for an unknown type or index, or a type
 * the manifest declares more than once (then the index is needed).
 *
 * @example
 * resolvePermission(manifest, 'WriteTags') // 2
 */
export function resolvePermission(manifest: Pick<Manifest, 'permissions' | 'id'>, ref: PermissionRef): number {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0 || ref >= manifest.permissions.length) {
      throw new CairnError('VALIDATION', `${manifest.id} declares no permission #${ref} (it declares ${manifest.permissions.length}).`);
    }
    return ref;
  }
  if (!(PERMISSION_TYPES as readonly string[]).includes(ref)) {
    throw new CairnError('VALIDATION', `"${String(ref)}" is not a permission type (known: ${PERMISSION_TYPES.join(', ')}).`);
  }
  const matches = manifest.permissions.flatMap((p, i) => (p.type === ref ? [i] : []));
  if (matches.length === 0) throw new CairnError('VALIDATION', `${manifest.id} does not declare the ${ref} permission.`);
  if (matches.length > 1) throw new CairnError('VALIDATION', `${manifest.id} declares ${ref} ${matches.length} times; name it by number (${matches.join(', ')}).`);
  return matches[0]!;
}

/**
 * Checks scopes against the library's locations and normalises their subpaths (`/`-separated, relative,
 * no `..`); duplicates are dropped.
 *
 * Failure modes: `NOT_FOUND` for a location not in the library; `VALIDATION` for a bad subpath.
 */
export function validateScopes(scopes: readonly { locationId: string; subpath?: string }[], locations: readonly LocationInfo[]): FileScope[] {
  const out: FileScope[] = [];
  for (const scope of scopes) {
    if (!locations.some((l) => l.id === scope.locationId)) {
      throw new CairnError('NOT_FOUND', `No location with id ${scope.locationId} in this library. See \`cairn location list\`.`);
    }
    const subpath = normaliseSubpath(scope.subpath ?? '');
    if (!out.some((s) => s.locationId === scope.locationId && s.subpath === subpath)) out.push({ locationId: scope.locationId, subpath });
  }
  return out;
}

function normaliseSubpath(raw: string): string {
  if (raw.includes('\\')) throw new CairnError('VALIDATION', `Folder "${raw}" must use "/" as separator.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(raw)) throw new CairnError('VALIDATION', 'A folder path must not contain control characters.');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new CairnError('VALIDATION', `Folder "${raw}" must stay inside its location (no "..").`);
  return parts.join('/');
}

/**
 * The grants an install starts with: required permissions are granted (the user accepts them by
 * installing), optional ones only when chosen. Scopes are checked against the library's locations.
 *
 * Failure modes: `VALIDATION` when a required permission is declined, when scopes are given for a
 * permission that takes none, or when one permission is chosen twice; `NOT_FOUND` for an unknown location.
 *
 * @example
 * initialGrants(manifest, [{ permission: 'ReadEntries', scopes: [{ locationId }] }], locations)
 */
export function initialGrants(manifest: Manifest, choices: readonly GrantChoice[], locations: readonly LocationInfo[]): PermissionGrant[] {
  const grants: PermissionGrant[] = manifest.permissions.map((p, index) => ({ index, type: p.type, granted: !p.optional, scopes: [] }));
  applyChoices(manifest, grants, choices, locations, () => true);
  return grants;
}

/** Applies choices to `grants` (in place) for the permissions `allowed(index)` accepts. */
export function applyChoices(
  manifest: Manifest,
  grants: PermissionGrant[],
  choices: readonly GrantChoice[],
  locations: readonly LocationInfo[],
  allowed: (index: number) => boolean,
): void {
  const seen = new Set<number>();
  for (const choice of choices) {
    const index = resolvePermission(manifest, choice.permission);
    const permission = manifest.permissions[index]!;
    if (!allowed(index)) throw new CairnError('VALIDATION', `${permission.type} (#${index}) is not awaiting a decision.`);
    if (seen.has(index)) throw new CairnError('VALIDATION', `${permission.type} (#${index}) is chosen twice.`);
    seen.add(index);
    const granted = choice.granted ?? true;
    if (!granted && !permission.optional) {
      throw new CairnError('VALIDATION', `${manifest.id} requires ${permission.type} (${permission.reason}); it cannot be declined. Cancel instead.`);
    }
    const scopes = granted ? validateScopes(choice.scopes ?? [], locations) : [];
    if (scopes.length > 0 && !isFilePermission(permission.type)) throw new CairnError('VALIDATION', `${permission.type} is not about files; it takes no folders.`);
    grants[index] = { index, type: permission.type, granted, scopes };
  }
}

/**
 * What identifies a permission across versions: everything but its reason and optional flag. A changed
 * glob, host list or sidecar kind is a different permission (it asks for something else).
 */
export function permissionKey(p: Permission): string {
  const { reason: _reason, optional: _optional, ...rest } = p;
  return JSON.stringify(Object.keys(rest).sort().map((k) => [k, (rest as Record<string, unknown>)[k]]));
}

/**
 * Moves grants from one manifest version to another. A permission of the new version that the old one
 * declared (same {@link permissionKey}) keeps its grant and scopes; the others are `added` (not granted
 * until the user consents). Old permissions the new version drops lose their grants.
 *
 * @example
 * const { grants, added } = carryGrants(v1, v1Grants, v2); // added: [3] when v2 declares a new Network permission
 */
export function carryGrants(from: Manifest, fromGrants: readonly PermissionGrant[], to: Manifest): { grants: PermissionGrant[]; added: number[] } {
  const byKey = new Map<string, PermissionGrant>();
  from.permissions.forEach((p, i) => {
    const g = fromGrants.find((x) => x.index === i && x.type === p.type);
    if (g && !byKey.has(permissionKey(p))) byKey.set(permissionKey(p), g);
  });
  const added: number[] = [];
  const grants = to.permissions.map((p, index): PermissionGrant => {
    const old = byKey.get(permissionKey(p));
    if (old) return { index, type: p.type, granted: old.granted, scopes: old.scopes };
    if (!from.permissions.some((q) => permissionKey(q) === permissionKey(p))) added.push(index);
    return { index, type: p.type, granted: false, scopes: [] };
  });
  return { grants, added };
}

/**
 * Whether a grant has any effect: granted, and, for file permissions, at least one folder.
 * Returns a note for the user when it has none.
 */
export function grantEffect(permission: Permission, grant: PermissionGrant | undefined): { effective: boolean; note: string | null } {
  if (!grant?.granted) return { effective: false, note: permission.optional ? 'declined' : 'revoked' };
  if (isFilePermission(permission.type) && grant.scopes.length === 0) return { effective: false, note: 'granted, but no folder chosen yet' };
  return { effective: true, note: null };
}
