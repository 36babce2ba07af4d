import type { HostDispatcher } from '../../extension-host/sandbox/sandbox-protocol.js';

const TAGS = Array.from({ length: 5 }, (_, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, name: `Tag ${i}`, parentId: null, color: null, path: `Tag ${i}`, usage: i }));

/** Answers `tags.list` with five fixed tags, so the bench measures the SDK and the ABI, not SQLite. */
export function createDispatcher(): HostDispatcher {
  return (method) => (method === 'tags.list' ? { ok: TAGS } : { error: { code: 'UNKNOWN_OPERATION', message: method } });
}
