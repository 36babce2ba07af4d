import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/images');

export interface RunningServer {
  url: string;
  origin: string;
  home: string;
  stop(): Promise<void>;
}

/**
 * Starts `cairn serve` as a real child process on a fresh temporary CAIRN_HOME (or a given one),
 * and resolves once it has printed its URL.
 */
export async function startServer(home?: string): Promise<RunningServer> {
  const dir = home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'cairn.js'), '--json', 'serve'], {
    env: { ...process.env, CAIRN_HOME: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`cairn serve did not start:\n${text}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      try {
        const parsed = JSON.parse(text) as { url: string };
        clearTimeout(timer);
        resolve(parsed.url);
      } catch {
        // wait for the rest of the JSON
      }
    });
    child.once('exit', (code) => reject(new Error(`cairn serve exited with ${code}:\n${text}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    home: dir,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
