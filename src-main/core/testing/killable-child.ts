import { spawn, type ChildProcess } from 'node:child_process';

/** A child process started for a SIGKILL test, with its output collected. */
export interface KillableChild {
  proc: ChildProcess;
  /** True once the child printed `READY`; false if it exited first. */
  ready: Promise<boolean>;
  /** Resolves on 'close', not 'exit': 'exit' can fire before the last stdout chunk (the DONE line) is read. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Starts a TypeScript script the way a developer would on Node 20 (`node --import tsx <script> <args…>`),
 * so a test can SIGKILL it at a random moment and restart it.
 *
 * @example
 * const child = startKillableChild(script, [folder], repoRoot);
 * if (await child.ready) child.proc.kill('SIGKILL');
 */
export function startKillableChild(script: string, args: string[], cwd: string): KillableChild {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((r) => (onReady = r));
  proc.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('READY\n')) onReady(true);
  });
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('close', (code, signal) => {
      onReady(false);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { proc, ready, exited };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
