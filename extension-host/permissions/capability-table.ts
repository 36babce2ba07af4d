import type { OperationName } from '../../src-shared/contract/index.js';
import type { PermissionType } from '../../src-shared/extensions/manifest.js';

/** The capabilities an operation can require: the manifest permissions that guard registry operations. */
export type Capability = Extract<PermissionType, 'ReadEntries' | 'ReadSidecars' | 'WriteSidecars' | 'WriteTags' | 'WriteModels' | 'WriteCollections'>;

/**
 * Which capability each operation an extension may call requires. Anything not listed is denied to every
 * extension, whatever it declares: `library.*`, `locations.*`, `jobs.*` (extensions control their own jobs
 * through `job.*` bridge methods instead), `shell.*`, `actions.*`, user metadata (`entries.setNote`,
 * `entries.setFavorite`), removing tags others applied and reorganising tags (`tags.rename/move/delete/remove`;
 * an extension removes only its OWN applications, with `tags.removeFromContent`). Collections are read and
 * written under `WriteCollections`, and only the extension's own. Every call is also checked against the
 * capability's scope (see `PermissionGuard`).
 *
 * @example
 * METHOD_CAPABILITIES['models.createForContent'] // 'WriteModels'
 * requiredCapability('library.delete')           // undefined: denied
 */
export const METHOD_CAPABILITIES = {
  'entries.list': 'ReadEntries',
  'entries.get': 'ReadEntries',
  'entries.getMany': 'ReadEntries',
  'entries.readBytes': 'ReadEntries',
  'entries.duplicates': 'ReadEntries',
  'search.entries': 'ReadEntries',
  'tags.list': 'ReadEntries',
  'tags.create': 'WriteTags',
  'tags.apply': 'WriteTags',
  'tags.addToContent': 'WriteTags',
  'tags.removeFromContent': 'WriteTags',
  'tags.addToModel': 'WriteTags',
  'models.createForContent': 'WriteModels',
  'models.create': 'WriteModels',
  'models.createMany': 'WriteModels',
  'models.update': 'WriteModels',
  'models.delete': 'WriteModels',
  'models.get': 'WriteModels',
  'models.getByContent': 'WriteModels',
  'models.query': 'WriteModels',
  'models.getBlob': 'WriteModels',
  'collections.list': 'WriteCollections',
  'collections.items': 'WriteCollections',
  'collections.create': 'WriteCollections',
  'collections.rename': 'WriteCollections',
  'collections.delete': 'WriteCollections',
  'collections.addItems': 'WriteCollections',
  'collections.removeItems': 'WriteCollections',
  'sidecars.read': 'ReadSidecars',
  'sidecars.write': 'WriteSidecars',
} as const satisfies Partial<Record<OperationName, Capability>>;

export type ExtensionOperationName = keyof typeof METHOD_CAPABILITIES;

/** The capability `method` requires, or undefined when no extension may call it. */
export function requiredCapability(method: string): Capability | undefined {
  return Object.prototype.hasOwnProperty.call(METHOD_CAPABILITIES, method) ? METHOD_CAPABILITIES[method as ExtensionOperationName] : undefined;
}
