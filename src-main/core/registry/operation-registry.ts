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

/** Who is calling. Extensions are identified so permission checks and audit trails can name them. */
export type Caller =
  | { kind: 'user'; via: 'ipc' | 'websocket' | 'cli' | 'internal' }
  | { kind: 'extension'; extensionId: string };

export interface CallContext {
  caller: Caller;
  /** Aborted when the caller goes away (socket closed, window closed, job cancelled). */
  signal?: AbortSignal;
}

/** The implementation of one operation. It receives validated input. */
export type Handler<N extends OperationName> = (
  input: ParsedInputOf<N>,
  ctx: CallContext,
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

  constructor(handlers: Partial<Handlers> = {}, options: RegistryOptions = {}) {
    this.#checkOutputs = options.checkOutputs ?? false;
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

  async #run(name: unknown, input: unknown, ctx: CallContext): Promise<unknown> {
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
    const output = await handler(parsed.data as never, ctx);
    if (this.#checkOutputs) {
      const checked = (def.output as z.ZodType).safeParse(output);
      if (!checked.success) {
        throw new CairnError('INTERNAL', `Output of ${name} broke the contract: ${formatIssues(checked.error.issues)}`);
      }
    }
    return output;
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
