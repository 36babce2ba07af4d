import { Writable } from 'node:stream';
import { runCli } from '../main.js';

/** A writable stream that remembers what was written, for capturing the CLI's output in tests. */
export function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

/**
 * Runs `cairn --home <home> <args…>` in-process and returns its exit code and output.
 *
 * @example
 * const { code, out } = await cli(home, '--json', 'library', 'list');
 */
export async function cli(home: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await runCli(['--home', home, ...args], { out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}
