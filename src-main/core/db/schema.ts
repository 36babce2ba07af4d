import type { ExtensionTables, VdfsTables } from './vdfs-tables.js';
import type { JobTables } from '../jobs/job-tables.js';
import type { ActionTables } from '../actions/action-tables.js';

/**
 * Kysely table types for `library.db`. Each concept declares its own tables in its folder
 * and they are joined here, so a query sees every table of the library.
 */
export interface LibraryInfoTable {
  key: string;
  value: string;
}

export interface LocationsTable {
  id: string;
  path: string;
  name: string;
  added_at: string;
  device_id: string;
  settings: string;
}

export interface FoundationTables {
  library_info: LibraryInfoTable;
  locations: LocationsTable;
}

/** Every table in a library database. */
export type LibraryDatabase = FoundationTables & VdfsTables & JobTables & ExtensionTables & ActionTables;
