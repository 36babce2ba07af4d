import type { LibrarySummary } from '../../src-shared/contract/index.js';
import { CairnError } from '../../src-shared/errors.js';

/**
 * Picks a library by id or by exact (case-insensitive) name; with no reference, the default library.
 * Fails with `NOT_FOUND`, or `CONFLICT` when a name matches several libraries.
 *
 * @example
 * pickLibrary(list, 'Photos') // the library named "Photos"
 */
export function pickLibrary(list: LibrarySummary[], ref: string | undefined): LibrarySummary {
  const usable = list.filter((l) => l.problem === null);
  if (!ref) {
    const def = usable.find((l) => l.isDefault) ?? (usable.length === 1 ? usable[0] : undefined);
    if (!def) throw new CairnError('NOT_FOUND', 'No default library; pass --library <name or id>.');
    return def;
  }
  const byId = list.find((l) => l.id === ref);
  if (byId) return byId;
  const byName = list.filter((l) => l.name.toLowerCase() === ref.toLowerCase());
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new CairnError('CONFLICT', `Several libraries are named "${ref}"; use its id.`);
  throw new CairnError('NOT_FOUND', `No library named or with id "${ref}". See \`cairn library list\`.`);
}
