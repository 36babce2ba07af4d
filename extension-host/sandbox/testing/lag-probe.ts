import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Runs `fn` while sampling the main thread's event-loop delay, and reports the worst delay seen. Used to
 * assert containment: a guest doing anything must not stall the main thread. Settles with the outcome of
 * `fn` (value or error) rather than throwing, so callers can check both.
 *
 * @example
 * const { error, maxLagMs } = await probeLag(() => plugin.call('spin'));
 * expect(maxLagMs).toBeLessThan(1000);
 */
export async function probeLag<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; maxLagMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const value = await fn();
    return { value, maxLagMs: histogram.max / 1e6 };
  } catch (error) {
    return { error, maxLagMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}
