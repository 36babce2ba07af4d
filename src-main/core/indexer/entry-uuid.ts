import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

// uuid's default generator asks the OS for 16 bytes per id (~5 µs each, half the cost of inserting the row);
// taking them from a pool refilled 4 KiB at a time makes an id cost well under a microsecond.
const pool = new Uint8Array(4096);
let used = pool.length;
function pooledRandom(): Uint8Array {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 16;
  return pool.subarray(used - 16, used);
}

/**
 * A new entry uuid: RFC 9562 version 7 (millisecond timestamp first, then random bits), so ids made one
 * after another sort together and new rows append to the `entries.uuid` index instead of landing on a random
 * page of it. Never throws.
 *
 * @example
 * newEntryUuid(); // '019a8f3c-5e2b-7c41-9d3e-2f6a1b0c4d5e'
 */
export function newEntryUuid(): string {
  return v7({ rng: pooledRandom });
}
