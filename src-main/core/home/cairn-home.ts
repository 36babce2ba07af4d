import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { z } from 'zod';
import { CairnError } from '../../../src-shared/errors.js';

const HomeConfig = z.object({
  version: z.literal(1),
  deviceId: z.uuid(),
  defaultLibraryId: z.uuid().nullable(),
  /** Libraries that live outside `<home>/libraries`, added with `library.open`. */
  externalLibraries: z.array(z.string()),
  /** Extension Store catalog URLs the user added (the bundled catalog is always a source besides these). */
  catalogSources: z.array(z.string()).default([]),
});
export type HomeConfig = z.infer<typeof HomeConfig>;

/**
 * Resolves where Cairn keeps its data: `$CAIRN_HOME` when set, otherwise the platform's app-data
 * folder (e.g. `~/.local/share/Cairn` on Linux, `~/Library/Application Support/Cairn` on macOS).
 *
 * @example
 * resolveHomeDir({ CAIRN_HOME: '/tmp/x' }) // '/tmp/x'
 */
export function resolveHomeDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CAIRN_HOME?.trim();
  if (fromEnv) return path.resolve(fromEnv);
  return envPaths('Cairn', { suffix: '' }).data;
}

/**
 * The Cairn home folder: `config.json` (device id, default library, external libraries),
 * `libraries/` (one folder per library) and `models/` (AI models, never synced).
 *
 * The config is replaced atomically (write, then rename), so a crash never leaves half a file.
 * A config that fails validation is kept aside as `config.json.broken-<time>` and a fresh one written.
 */
export class CairnHome {
  readonly dir: string;
  #config: HomeConfig;
  readonly isFirstRun: boolean;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    try {
      fs.mkdirSync(this.librariesDir, { recursive: true });
    } catch (error) {
      throw new CairnError('IO', `Cannot create the Cairn home at ${this.dir}: ${(error as Error).message}`);
    }
    const loaded = this.#load();
    this.isFirstRun = loaded === null;
    this.#config = loaded ?? {
      version: 1,
      deviceId: randomUUID(),
      defaultLibraryId: null,
      externalLibraries: [],
      catalogSources: [],
    };
    if (loaded === null) this.#save();
  }

  get librariesDir(): string {
    return path.join(this.dir, 'libraries');
  }
  get modelsDir(): string {
    return path.join(this.dir, 'models');
  }
  get configFile(): string {
    return path.join(this.dir, 'config.json');
  }
  get deviceId(): string {
    return this.#config.deviceId;
  }
  get config(): Readonly<HomeConfig> {
    return this.#config;
  }

  /** Re-reads config.json, so that changes made by another process (the CLI) are seen. */
  reload(): void {
    const loaded = this.#load();
    if (loaded) this.#config = loaded;
  }

  update(change: (config: HomeConfig) => HomeConfig): void {
    this.reload();
    this.#config = HomeConfig.parse(change(structuredClone(this.#config)));
    this.#save();
  }

  #load(): HomeConfig | null {
    let text: string;
    try {
      text = fs.readFileSync(this.configFile, 'utf8');
    } catch {
      return null;
    }
    try {
      return HomeConfig.parse(JSON.parse(text));
    } catch {
      const aside = `${this.configFile}.broken-${Date.now()}`;
      fs.renameSync(this.configFile, aside);
      return null;
    }
  }

  #save(): void {
    const tmp = `${this.configFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.#config, null, 2));
    fs.renameSync(tmp, this.configFile);
  }
}
