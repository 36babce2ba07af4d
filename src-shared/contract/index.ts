import type { z } from 'zod';
import type { AnyOperationDef } from './define.js';
import { libraryEvents, libraryOperations } from './library.js';
import { locationEvents, locationOperations } from './locations.js';
import { shellOperations } from './shell.js';
import { entryEvents, entryOperations } from './entries.js';
import { tagEvents, tagOperations } from './tags.js';
import { collectionEvents, collectionOperations } from './collections.js';
import { searchOperations } from './search.js';
import { jobEvents, jobOperations } from './jobs.js';
import { actionEvents, actionOperations } from './actions.js';
import { indexerOperations } from './indexer.js';
import { modelEvents, modelOperations } from './models.js';
import { extensionEvents, extensionOperations } from './extensions.js';
import { storeOperations } from './store.js';
import { uiOperations } from './ui.js';
import { aiOperations, placesOperations } from './ai.js';

export * from './define.js';
export * from './common.js';
export * from './library.js';
export * from './locations.js';
export * from './shell.js';
export * from './entries.js';
export * from './tags.js';
export * from './collections.js';
export * from './search.js';
export * from './jobs.js';
export * from './actions.js';
export * from './indexer.js';
export * from './models.js';
export * from './extensions.js';
export * from './store.js';
export * from './ui.js';
export * from './ai.js';

/**
 * The one contract. Every operation any shell, the CLI or an extension can call is declared here once.
 * Add a domain by writing `src-shared/contract/<domain>.ts` and spreading its table below.
 */
export const operations = {
  ...libraryOperations,
  ...locationOperations,
  ...shellOperations,
  ...entryOperations,
  ...tagOperations,
  ...collectionOperations,
  ...searchOperations,
  ...jobOperations,
  ...actionOperations,
  ...indexerOperations,
  ...modelOperations,
  ...extensionOperations,
  ...storeOperations,
  ...uiOperations,
  ...aiOperations,
  ...placesOperations,
} as const satisfies Record<string, AnyOperationDef>;

/** Every event the core emits, with its payload schema. Names are `domain.onDidX`. */
export const events = {
  ...libraryEvents,
  ...locationEvents,
  ...entryEvents,
  ...tagEvents,
  ...collectionEvents,
  ...jobEvents,
  ...actionEvents,
  ...modelEvents,
  ...extensionEvents,
} as const satisfies Record<string, z.ZodType>;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type EventName = keyof typeof events;

/** What a caller passes (before defaults and coercion). */
export type InputOf<N extends OperationName> = z.input<Operations[N]['input']>;
/** What a handler receives (after validation). */
export type ParsedInputOf<N extends OperationName> = z.output<Operations[N]['input']>;
/** What a handler returns and a caller receives. */
export type OutputOf<N extends OperationName> = z.output<Operations[N]['output']>;
export type PayloadOf<E extends EventName> = z.output<(typeof events)[E]>;

/** Operation names, as a runtime list (for fuzzing, `--help`, and the extension bridge). */
export const operationNames = Object.keys(operations) as OperationName[];
export const eventNames = Object.keys(events) as EventName[];

/** True when `name` is a declared operation. */
export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(operations, name);
}

/** True when `name` is a declared event. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}
