/**
 * Compile-time tests of the contract. `npm run typecheck` compiles this file; each `@ts-expect-error`
 * line must fail to type-check, or the build fails with "Unused '@ts-expect-error' directive".
 */
import type { CairnBridge } from '../../../src-shared/bridge.js';
import type { Handler, Handlers } from './operation-registry.js';
import type { InputOf, OutputOf } from '../../../src-shared/contract/index.js';

declare const bridge: CairnBridge;

export async function typeTests(): Promise<void> {
  // A correct call compiles and its result is typed.
  const libs = await bridge.invoke('library.list', {});
  const firstName: string | undefined = libs[0]?.name;
  void firstName;

  // @ts-expect-error — a wrong operation name does not compile.
  await bridge.invoke('library.explode', {});

  // @ts-expect-error — a wrong input type does not compile.
  await bridge.invoke('library.create', { name: 42 });

  // @ts-expect-error — a missing required input field does not compile.
  await bridge.invoke('locations.add', { path: '/tmp' });

  // @ts-expect-error — the output type is checked at the call site.
  const wrong: number = await bridge.invoke('library.create', { name: 'x' });
  void wrong;

  // @ts-expect-error — an unknown event name does not compile.
  bridge.on('library.onDidExplode', () => undefined);

  bridge.on('locations.onDidChange', (payload) => {
    // @ts-expect-error — event payloads are typed.
    const n: number = payload.libraryId;
    void n;
  });
}

// A handler returning the wrong output type does not compile.
// @ts-expect-error — `library.get` must return a LibrarySummary, not a string.
export const badHandler: Handler<'library.get'> = async () => 'not a library';

// A handler table missing an operation does not compile.
// @ts-expect-error — every operation needs a handler.
export const incomplete: Handlers = { 'library.list': async () => [] };

// Input and output helper types agree with the schemas.
export const input: InputOf<'locations.add'> = { libraryId: '00000000-0000-4000-8000-000000000000', path: '/x' };
export type CreatedLibraryId = OutputOf<'library.create'>['id'];
