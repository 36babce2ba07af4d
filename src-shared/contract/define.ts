import type { z } from 'zod';

/** Queries read; actions change state. Extensions and the UI treat them differently (e.g. audit, preview). */
export type OperationKind = 'query' | 'action';

/**
 * One operation of the contract: a name `domain.verb`, a kind, a runtime input schema and an output schema.
 * The output schema gives the TypeScript type every shell sees; the core checks its own outputs in tests.
 */
export interface OperationDef<K extends OperationKind, I extends z.ZodType, O extends z.ZodType> {
  readonly kind: K;
  readonly input: I;
  readonly output: O;
  /** One line for `--help`, docs and the extension author's guide. */
  readonly summary: string;
}

/**
 * Declares a read-only operation.
 *
 * @example
 * const listLibraries = query({ summary: 'List libraries', input: z.object({}), output: z.array(LibrarySummary) });
 */
export function query<I extends z.ZodType, O extends z.ZodType>(def: {
  summary: string;
  input: I;
  output: O;
}): OperationDef<'query', I, O> {
  return { kind: 'query', ...def };
}

/**
 * Declares an operation that changes state.
 *
 * @example
 * const createLibrary = action({ summary: 'Create a library', input: z.object({ name: z.string() }), output: LibrarySummary });
 */
export function action<I extends z.ZodType, O extends z.ZodType>(def: {
  summary: string;
  input: I;
  output: O;
}): OperationDef<'action', I, O> {
  return { kind: 'action', ...def };
}

/** Any operation definition. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperationDef = OperationDef<OperationKind, z.ZodType<any, any>, z.ZodType<any, any>>;
