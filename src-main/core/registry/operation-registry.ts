import type { z } from 'zod';
import {
  isOperationName,
  operations,
  type InputOf,
  type OperationName,
  type OutputOf,
  type ParsedInputOf,
} from '../../../src-shared/contract/index.js';
import { CairnError, toWireError, type Result } from '../../../src-shared/errors.js';
import type { Library } from '../library/library.js';

/** Who is calling. Extensions are identified so permission checks and audit trails can name them. */
export type Caller =
  | { kind: 'user'; via: 'ipc' | 'websocket' | 'cli' | 'internal' }
  | { kind: 'extension'; extensionId: string };

export interface CallContext {
  caller: Caller;
  /** Aborted when the caller goes away (socket closed, window closed, job cancelled). */
  signal?: AbortSignal;
}

/**
 * What a handler receives besides its input: the caller, and `library(id)`, which returns an open library
 * synchronously. The registry opens the library named by the input's `libraryId` before the handler runs,
 * so handlers of library-scoped operations can be fully synchronous, which lets the extension bridge call
 * them from inside a guest's host function (where nothing may await).
 */
export interface HandlerContext extends CallContext {
  library(id: string): Library;
}

/** How the registry finds libraries: `open` may load one (async); `peek` returns it only if already open. */
export interface LibraryLookup {
  open(id: string): Promise<Library>;
  peek(id: string): Library | undefined;
}

/** The implementation of one operation. It receives validated input. */
export type Handler<N extends OperationName> = (
  input: ParsedInputOf<N>,
  ctx: HandlerContext,
) => Promise<OutputOf<N>> | OutputOf<N>;

/** A handler for every operation: the compiler refuses a missing one or a wrong output type. */
export type Handlers = { [N in OperationName]: Handler<N> };

/** Handlers for the operations whose names start with `${Domain}.`. */
export type HandlersFor<Domain extends string> = {
  [N in OperationName as N extends `${Domain}.${string}` ? N : never]: Handler<N>;
};

export interface RegistryOptions {
  /** Parse every output against its schema too (tests turn this on to catch drift). */
  checkOutputs?: boolean;
  /** Where libraries come from; without it, `ctx.library` fails with NOT_FOUND. */
  libraries?: LibraryLookup;
}

/**
 * The only door into the core. Every shell (IPC, WebSocket, CLI) and the extension bridge call
 * {@link OperationRegistry.invoke}, which validates the input against the contract, runs the handler,
 * and returns a {@link Result}. It never throws, whatever the payload.
 *
 * @example
 * const registry = new OperationRegistry(handlers);
 * const r = await registry.invoke('library.list', {}, { caller: { kind: 'user', via: 'cli' } });
 * if (!r.ok) console.error(r.error.code, r.error.message);
 */
export class OperationRegistry {
  readonly #handlers = new Map<OperationName, Handler<OperationName>>();
  readonly #checkOutputs: boolean;
  readonly #libraries: LibraryLookup | undefined;

  constructor(handlers: Partial<Handlers> = {}, options: RegistryOptions = {}) {
    this.#checkOutputs = options.checkOutputs ?? false;
    this.#libraries = options.libraries;
    for (const [name, handler] of Object.entries(handlers)) {
      this.register(name as OperationName, handler as Handler<OperationName>);
    }
  }

  /** Adds or replaces the handler of a declared operation. */
  register<N extends OperationName>(name: N, handler: Handler<N>): void {
    if (!isOperationName(name)) throw new Error(`Cannot register undeclared operation ${String(name)}`);
    this.#handlers.set(name, handler as unknown as Handler<OperationName>);
  }

  has(name: string): boolean {
    return isOperationName(name) && this.#handlers.has(name);
  }

  /** Names of declared operations that have no handler yet. */
  missing(): OperationName[] {
    return (Object.keys(operations) as OperationName[]).filter((n) => !this.#handlers.has(n));
  }

  /**
   * Validates and runs an operation from untrusted input. Failures come back as values:
   * `UNKNOWN_OPERATION`, `VALIDATION` (naming the field), or whatever the handler raised.
   */
  async invoke(name: unknown, input: unknown, ctx: CallContext): Promise<Result<unknown>> {
    try {
      return { ok: true, value: await this.#run(name, input, ctx) };
    } catch (error) {
      return { ok: false, error: toWireError(error) };
    }
  }

  /**
   * Typed call for trusted in-process callers (the CLI, tests). Throws {@link CairnError} on failure.
   *
   * @example
   * const lib = await registry.call('library.create', { name: 'Photos' }, ctx);
   */
  async call<N extends OperationName>(name: N, input: InputOf<N>, ctx: CallContext): Promise<OutputOf<N>> {
    const result = await this.invoke(name, input, ctx);
    if (!result.ok) throw new CairnError(result.error.code, result.error.message);
    return result.value as OutputOf<N>;
  }

  /**
   * Validates and runs an operation synchronously, for callers that cannot await (the extension bridge
   * inside a guest's host function). The library must already be open, and the handler must not return a
   * promise; otherwise the result is a `NOT_SUPPORTED` error value. Never throws.
   */
  invokeSync(name: unknown, input: unknown, ctx: CallContext): Result<unknown> {
    try {
      const { handler, parsed, name: op } = this.#prepare(name, input);
      const output = handler(parsed as never, this.#handlerContext(ctx));
      if (output instanceof Promise) {
        output.catch(() => undefined);
        throw new CairnError('NOT_SUPPORTED', `The operation ${op} cannot be called from an extension.`);
      }
      return { ok: true, value: this.#checkOutput(op, output) };
    } catch (error) {
      return { ok: false, error: toWireError(error) };
    }
  }

  #prepare(name: unknown, input: unknown): { name: OperationName; handler: Handler<OperationName>; parsed: unknown } {
    if (!isOperationName(name)) {
      throw new CairnError('UNKNOWN_OPERATION', `Unknown operation: ${describeName(name)}`);
    }
    const handler = this.#handlers.get(name);
    if (!handler) throw new CairnError('NOT_SUPPORTED', `The operation ${name} is not available in this shell.`);
    const def = operations[name];
    const parsed = (def.input as z.ZodType).safeParse(input === undefined ? {} : input);
    if (!parsed.success) {
      throw new CairnError('VALIDATION', `Invalid input for ${name}: ${formatIssues(parsed.error.issues)}`);
    }
    return { name, handler, parsed: parsed.data };
  }

  #handlerContext(ctx: CallContext): HandlerContext {
    const lookup = this.#libraries;
    return {
      ...ctx,
      library: (id: string) => {
        const lib = lookup?.peek(id);
        if (!lib) throw new CairnError('NOT_FOUND', `No open library with id ${id}.`);
        return lib;
      },
    };
  }

  #checkOutput(name: OperationName, output: unknown): unknown {
    if (this.#checkOutputs) {
      const checked = (operations[name].output as z.ZodType).safeParse(output);
      if (!checked.success) {
        throw new CairnError('INTERNAL', `Output of ${name} broke the contract: ${formatIssues(checked.error.issues)}`);
      }
    }
    return output;
  }

  async #run(name: unknown, input: unknown, ctx: CallContext): Promise<unknown> {
    const { handler, parsed, name: op } = this.#prepare(name, input);
    // Open the library the input names, so that handlers can reach it synchronously.
    const libraryId = (parsed as { libraryId?: unknown }).libraryId;
    if (typeof libraryId === 'string' && this.#libraries) await this.#libraries.open(libraryId);
    const output = await handler(parsed as never, this.#handlerContext(ctx));
    return this.#checkOutput(op, output);
  }
}

function describeName(name: unknown): string {
  if (typeof name === 'string') return JSON.stringify(name.slice(0, 100));
  return `(${name === null ? 'null' : typeof name})`;
}

/** Turns zod issues into "field.path: message; other: message". */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
