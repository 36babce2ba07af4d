/**
 * Kysely table types for previewable actions (migration `0005_actions`). JSON columns are text; the
 * action service parses and checks them. Timestamps are Unix milliseconds. Joined into `LibraryDatabase`
 * in `core/db/schema.ts`.
 *
 * @example
 * const last = await library.db.selectFrom('action_audit').selectAll().orderBy('created_at', 'desc').limit(1).execute();
 */
export interface ActionAuditTable {
  /** The preview id, which is also the audit id. */
  id: string;
  /** The registered action, e.g. `files.move`. */
  action: string;
  /** `core` or the extension id that defined the action. */
  owner: string;
  caller_kind: 'user' | 'extension';
  /** `via` of a user (ipc, websocket, cli, internal), or the extension id. */
  caller_id: string;
  /** JSON: the validated params. */
  params: string;
  /** JSON: summary, changes, counts, conflicts, reversible, title. */
  preview: string;
  /** JSON: the probes the preview recorded (see `fingerprint.ts`). */
  fingerprint: string;
  /** JSON: ids the action touches (entries, tags, collections), for audit queries. */
  targets: string;
  status: ActionStatus;
  /** JSON: `[{ status, at, by, message? }]`, oldest first. */
  transitions: string;
  result: string | null;
  undo_data: string | null;
  after: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  expires_at: number;
}

/** Every status an audit row can have. */
export type ActionStatus = 'previewed' | 'expired' | 'committing' | 'committed' | 'verified' | 'failed' | 'undoing' | 'undone';

/** The action tables, as joined into `LibraryDatabase`. */
export interface ActionTables {
  action_audit: ActionAuditTable;
}
