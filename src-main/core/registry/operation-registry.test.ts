import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationNames, operations } from '../../../src-shared/contract/index.js';
import { ERROR_CODES } from '../../../src-shared/errors.js';
import type { CairnCore } from '../cairn-core.js';
import { startTestCore, userCtx } from '../testing/test-core.js';

let core: CairnCore;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ core, dispose } = await startTestCore());
});
afterAll(async () => dispose());

describe('OperationRegistry', () => {
  it('has a handler for every operation in the contract', () => {
    expect(core.registry.missing()).toEqual([]);
  });

  it('rejects unknown operations with UNKNOWN_OPERATION', async () => {
    for (const name of ['nope.nothing', '', 42, null, '__proto__', 'constructor', 'toString']) {
      const r = await core.registry.invoke(name, {}, userCtx);
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_OPERATION' } });
    }
  });

  it('names the failing field in validation errors', async () => {
    const r = await core.registry.invoke('library.create', { name: '' }, userCtx);
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (!r.ok) expect(r.error.message).toMatch(/name: Library name must not be empty/);
    const extra = await core.registry.invoke('library.create', { name: 'ok', evil: true }, userCtx);
    expect(extra.ok).toBe(false);
    if (!extra.ok) expect(extra.error.message).toMatch(/evil/);
    const badId = await core.registry.invoke('locations.list', { libraryId: 'not-a-uuid' }, userCtx);
    expect(badId.ok).toBe(false);
    if (!badId.ok) expect(badId.error.message).toMatch(/libraryId/);
  });

  it('turns handler exceptions into values', async () => {
    const r = await core.registry.invoke('shell.pickFolder', {}, userCtx);
    expect(r).toEqual({ ok: false, error: { code: 'NOT_SUPPORTED', message: 'No folder picker in tests.' } });
  });
});

describe('invokeSync (for the extension bridge)', () => {
  it('runs synchronous handlers on an open library and refuses async ones as values', async () => {
    const [lib] = await core.registry.call('library.list', {}, userCtx);
    const ok = core.registry.invokeSync('tags.list', { libraryId: lib!.id }, userCtx);
    expect(ok).toEqual({ ok: true, value: [] });
    const created = core.registry.invokeSync('tags.create', { libraryId: lib!.id, name: 'sync' }, userCtx);
    expect(created).toMatchObject({ ok: true, value: { name: 'sync', path: 'sync' } });
    expect(core.registry.invokeSync('library.list', {}, userCtx)).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
    expect(core.registry.invokeSync('tags.list', { libraryId: '9b2f7f0e-0000-4000-8000-000000000000' }, userCtx)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(core.registry.invokeSync('tags.list', { libraryId: 5 }, userCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

describe('fuzz: random payloads to every operation', () => {
  // Values that are JSON-like, plus shapes close to valid inputs (right keys, wrong or hostile values).
  const hostileString = fc.oneof(
    fc.string(),
    fc.constantFrom('', ' ', '../../etc/passwd', '/', '\u0000', 'a'.repeat(10_000), "'; DROP TABLE locations; --", '__proto__'),
  );
  const jsonish = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.double(),
      fc.integer(),
      hostileString,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const nearValid = fc.record(
    {
      libraryId: fc.oneof(fc.uuid(), hostileString),
      locationId: fc.oneof(fc.uuid(), hostileString),
      name: hostileString,
      path: hostileString,
      confirm: hostileString,
      title: hostileString,
    },
    { requiredKeys: [] },
  );

  it('never throws, and every failure is {code, message} with a stable code', async () => {
    const codes = new Set<string>(ERROR_CODES);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operationNames), fc.oneof(jsonish, nearValid), async (name, payload) => {
        // Destructive operations are fuzzed too; the home is a temp folder.
        const r = await core.registry.invoke(name, payload, userCtx);
        if (r.ok) {
          expect(operations[name].output.safeParse(r.value).success).toBe(true);
        } else {
          expect(codes.has(r.error.code)).toBe(true);
          expect(typeof r.error.message).toBe('string');
          expect(r.error.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 600, seed: 20261123 },
    );
    // The core is still healthy afterwards.
    const list = await core.registry.invoke('library.list', {}, userCtx);
    expect(list.ok).toBe(true);
  });
});
