import fs from 'node:fs';
import path from 'node:path';
import { buildExtension, formatDiagnostic, type BuildResult } from './build-extension.js';
import { validateExtension, type ValidationReport } from './validate-extension.js';

export interface DevLoopOptions {
  /** Called after every rebuild (and validation, when the build succeeded). */
  onCycle: (cycle: { build: BuildResult; validation: ValidationReport | null }) => void | Promise<void>;
  /** Quiet period before a rebuild, in ms (default 150). */
  debounceMs?: number;
}

/**
 * Watches an extension's `assembly/`, `manifest.json` and `ui_manifest.json`, and on every change rebuilds
 * (debug build, faster) and validates, then calls `onCycle` (`cairn ext dev` prints diagnostics there, packs
 * a development version and installs or upgrades it in the library). One build runs at a time; changes
 * during a build queue one more. Returns a function that stops watching.
 *
 * @example
 * const stop = startDevLoop('extensions/hello-tags', { onCycle: ({ build }) => console.log(build.ok) });
 */
export function startDevLoop(extDir: string, options: DevLoopOptions): () => void {
  const dir = path.resolve(extDir);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const cycle = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const build = await buildExtension(dir, { debug: true });
      const validation = build.ok ? validateExtension(dir) : null;
      await options.onCycle({ build, validation });
    } finally {
      running = false;
      if (again) {
        again = false;
        void cycle();
      }
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void cycle(), options.debounceMs ?? 150);
  };
  const watchers = [
    fs.watch(path.join(dir, 'assembly'), { recursive: true }, schedule),
    ...['manifest.json', 'ui_manifest.json'].filter((f) => fs.existsSync(path.join(dir, f))).map((f) => fs.watch(path.join(dir, f), schedule)),
  ];
  void cycle();
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}

export { formatDiagnostic };
