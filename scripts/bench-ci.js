#!/usr/bin/env node
// Runs every benchmark once, as CI does, and prints their figures. Benchmarks never fail on timings:
// a non-zero exit means the benchmark itself broke. Sizes are the full sizes unless the
// environment overrides them (e.g. BENCH_FILES, BENCH_SEARCH_ENTRIES).
import { spawnSync } from 'node:child_process';

const benches = ['bench:index', 'bench:search', 'bench:jobs', 'bench:ext', 'bench:sdk', 'bench:photos'];
let failed = 0;
for (const name of benches) {
  console.log(`\n=== npm run ${name}`);
  const started = Date.now();
  const r = spawnSync('npm', ['run', '-s', name], { stdio: 'inherit', env: process.env });
  console.log(`=== ${name}: exit ${r.status} after ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
