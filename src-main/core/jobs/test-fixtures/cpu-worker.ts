import { CairnError } from '../../../../src-shared/errors.js';
import { serveWorkerTask } from '../serve-worker-task.js';

/** Input of the CPU test worker: spin for `ms`, forever, or throw. */
export interface CpuWorkerInput {
  mode: 'spin' | 'forever' | 'throw';
  ms?: number;
}

// Busy work that keeps one core at 100 % without allocating: what a hash or thumbnail job looks like to the OS.
serveWorkerTask<CpuWorkerInput, { iterations: number }>((data, report) => {
  if (data.mode === 'throw') throw new CairnError('IO', 'the worker could not read its file');
  const end = data.mode === 'forever' ? Infinity : performance.now() + (data.ms ?? 100);
  let iterations = 0;
  let x = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 10_000; i++) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    iterations++;
    if (iterations % 1000 === 0) report(iterations);
  }
  return { iterations: iterations + (x < 0 ? 1 : 0) };
});
