import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';

/**
 * Every migration this version of Cairn knows, in order. A library whose migration table names one
 * that is not here was written by a newer Cairn and is refused (see `Library.open`).
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
};

export const migrationNames = Object.keys(migrations).sort();
