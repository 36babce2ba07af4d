import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_vdfs.js';
import * as m0003 from './0003_jobs.js';
import * as m0004 from './0004_extensions.js';
import * as m0005 from './0005_actions.js';
import * as m0006 from './0006_search_deferral.js';
import * as m0007 from './0007_blob_references.js';
import * as m0008 from './0008_search_inserts_by_writer.js';

/**
 * Every migration this version of Cairn knows, in order. A library whose migration table names one
 * that is not here was written by a newer Cairn and is refused (see `Library.open`).
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_vdfs': m0002,
  '0003_jobs': m0003,
  '0004_extensions': m0004,
  '0005_actions': m0005,
  '0006_search_deferral': m0006,
  '0007_blob_references': m0007,
  '0008_search_inserts_by_writer': m0008,
};

export const migrationNames = Object.keys(migrations).sort();
