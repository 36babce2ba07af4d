import fs from 'node:fs';
import path from 'node:path';
import {
  BatchAssembler,
  completeDirectory,
  gitignoreToRead,
  planDirectory,
  resolveRules,
  sortDirents,
  startTask,
  unreadableDirectory,
  type DirTask,
} from './discovery-core.js';
import type { DiscoveryBatch, DiscoveryOptions } from './discovery.js';

function attempt<T>(fn: () => T): T | NodeJS.ErrnoException {
  try {
    return fn();
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/**
 * The same walk as `discover` (same rules, same order, same batches and errors) with synchronous fs
 * calls, one directory at a time. It blocks its thread: call it only inside a worker thread, which is
 * what `discoverInWorker` does. Synchronous `lstat` avoids a thread-pool round trip per entry, which
 * makes it about twice as fast as the async walk on Node 20. Throws `NOT_FOUND` / `VALIDATION` for a
 * bad root; `options.fs` and `options.concurrency` are ignored.
 *
 * @example
 * for (const batch of discoverSync('/photos')) port.postMessage(batch);
 */
export function* discoverSync(root: string, options: DiscoveryOptions = {}): Generator<DiscoveryBatch> {
  const rules = resolveRules(options);
  const rootAbs = path.resolve(root);
  const first = startTask(rules, rootAbs, options.startAt ?? '', (p) => attempt(() => fs.lstatSync(p)), (p) => attempt(() => fs.readFileSync(p)));
  if (!first) return;
  const queue: DirTask[] = [first];
  const assembler = new BatchAssembler(rules.batchSize);
  for (let head = 0; head < queue.length; head += 1) {
    const task = queue[head]!;
    const listed = attempt(() => fs.readdirSync(task.abs, { withFileTypes: true, encoding: 'buffer' }));
    let result;
    if (listed instanceof Error) {
      result = unreadableDirectory(task, listed);
    } else {
      const dirents = sortDirents(listed);
      const giPath = gitignoreToRead(rules, task, dirents);
      const gitignore = giPath === undefined ? undefined : attempt(() => fs.readFileSync(giPath));
      const plan = planDirectory(rules, task, dirents, gitignore);
      const stats = plan.candidates.map((k) => attempt(() => fs.lstatSync(k.abs)));
      result = completeDirectory(rules, plan, stats);
    }
    for (const child of result.children) queue.push(child);
    yield* assembler.add(task.rel, result);
  }
  const last = assembler.flush();
  if (last) yield last;
}
