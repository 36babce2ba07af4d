import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AiModel, NewAiModel, type AiCategory } from '../../../src-shared/contract/ai.js';
import { CairnError } from '../../../src-shared/errors.js';
import { BUNDLED_FACE_MODELS, humanPaths } from './human-paths.js';
import type { ModelAccess } from './model-grants.js';
import { OnnxModelLoader } from './onnx-loader.js';

const RegistryFile = z.object({ version: z.literal(1), models: z.array(AiModel) });
type NewAiModel = z.output<typeof NewAiModel>;

/** Hosts that count as "this machine": a model served there may be registered as local. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/**
 * The AI model registry: the face models bundled with the app (registered from @vladmandic/human's `models/`
 * folder on every start), plus models users and extensions register, kept in `<modelsDir>/registry.json`
 * (`$CAIRN_HOME/models/`, never synced; written atomically). Each entry records name, category, source
 * (bundled | local path | download URL + sha256 | Ollama | OpenAI-compatible), size, licence and whether it
 * runs locally or in the cloud. Download models are fetched by the `ai.downloadModel` job (`model-download.ts`)
 * into {@link ModelRegistry.downloadTarget}.
 *
 * Rules enforced by {@link ModelRegistry.register}: names are unique and bundled names are reserved
 * (`CONFLICT`); an endpoint off this machine must be `cloud` (`VALIDATION`); an extension registers only in a
 * category it holds a UseModel grant for, a cloud model only with a cloud grant (`PERMISSION_DENIED`, via
 * the `ModelAccess` the caller computed), local files only inside the models folder, and may replace only
 * its own entries. A local file that is missing or whose sha256 differs fails with `NOT_FOUND`/`VALIDATION`.
 *
 * @example
 * const models = new ModelRegistry(home.modelsDir);
 * models.list('face_embedding')[0].name; // 'human-faceres'
 * models.register({ name: 'llama3.2', category: 'llm', source: { kind: 'ollama', baseUrl: 'http://127.0.0.1:11434', model: 'llama3.2' }, licence: 'Llama 3.2' }, { allowCloud: false, who: 'user' });
 */
export class ModelRegistry {
  readonly dir: string;
  readonly #onnx: OnnxModelLoader;
  #bundled: AiModel[] | undefined;

  constructor(modelsDir: string, options: { onnx?: OnnxModelLoader } = {}) {
    this.dir = path.resolve(modelsDir);
    this.#onnx = options.onnx ?? new OnnxModelLoader();
  }

  /** Every model, bundled first, optionally of one category, with availability computed now. */
  list(category?: AiCategory): AiModel[] {
    const all = [...this.#bundledModels(), ...this.#read()].map((m) => this.#withAvailability(m));
    return category ? all.filter((m) => m.category === category) : all;
  }

  /** One model by name, or `NOT_FOUND`. */
  get(name: string): AiModel {
    const model = this.list().find((m) => m.name === name);
    if (!model) throw new CairnError('NOT_FOUND', `No model named ${name}.`);
    return model;
  }

  /** Registers (or, for its owner, replaces) a model. See the class comment for the rules. */
  register(input: z.input<typeof NewAiModel>, access: ModelAccess): AiModel {
    const parsed = NewAiModel.safeParse(input);
    if (!parsed.success) throw new CairnError('VALIDATION', `Invalid model: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const model: NewAiModel = { ...parsed.data };
    const { source } = model;
    if (source.kind === 'bundled') throw new CairnError('VALIDATION', 'Bundled models are registered by the app itself.');
    if ((source.kind === 'ollama' || source.kind === 'openai') && model.category !== 'llm') {
      throw new CairnError('VALIDATION', 'Ollama and OpenAI-compatible sources serve the llm category only.');
    }
    if (source.kind === 'ollama' || source.kind === 'openai') {
      model.format = source.kind;
      if (model.preference === 'local' && !isLoopbackUrl(source.baseUrl)) {
        throw new CairnError('VALIDATION', `${source.baseUrl} is not on this machine: register it with preference "cloud".`);
      }
    }
    if (source.kind === 'download' && model.preference === 'cloud') {
      throw new CairnError('VALIDATION', 'A downloaded model runs on this machine: its preference is "local".');
    }
    if (model.preference === 'cloud' && !access.allowCloud) {
      throw new CairnError('PERMISSION_DENIED', `${access.who} may not register cloud models: its UseModel(${model.category}) grant is local.`);
    }
    if (source.kind === 'local') {
      const file = this.#checkLocalFile(source.path, source.sha256, access.who !== 'user');
      model.source = { ...source, path: file.path };
      model.sizeBytes = file.size;
      if (model.format === 'other' && file.path.endsWith('.onnx')) model.format = 'onnx';
    }
    if (this.#bundledModels().some((m) => m.name === model.name)) throw new CairnError('CONFLICT', `${model.name} is a bundled model.`);
    const existing = this.#read();
    const previous = existing.find((m) => m.name === model.name);
    if (previous && previous.registeredBy !== access.who) {
      throw new CairnError('CONFLICT', `A model named ${model.name} was registered by ${previous.registeredBy}.`);
    }
    const entry: AiModel = { ...model, registeredBy: access.who, available: true, unavailableReason: null };
    this.#write([...existing.filter((m) => m.name !== model.name), entry]);
    return this.#withAvailability(entry);
  }

  /**
   * Where a `download` model's file goes: `<modelsDir>/<name>/<last part of the URL's path>` (`model.bin` when the
   * URL has none). `VALIDATION` for a model of another source.
   *
   * @example
   * models.downloadTarget(models.get('tiny')); // '/home/me/.cairn/models/tiny/tiny.onnx'
   */
  downloadTarget(model: AiModel): string {
    if (model.source.kind !== 'download') throw new CairnError('VALIDATION', `${model.name} is not a model to download.`);
    const base = path.basename(decodeURIComponent(new URL(model.source.url).pathname));
    return path.join(this.dir, model.name, base && base !== '.' && base !== '..' ? base : 'model.bin');
  }

  #withAvailability(model: AiModel): AiModel {
    let reason: string | null = null;
    if (model.format === 'onnx') {
      const status = this.#onnx.availability();
      if (!status.available) reason = status.reason;
    }
    let sizeBytes = model.sizeBytes;
    if (!reason && model.source.kind === 'download') {
      const file = this.downloadTarget(model);
      if (!fs.existsSync(file)) reason = 'not downloaded yet (ai.downloadModel fetches it)';
      else sizeBytes ??= fs.statSync(file).size;
    }
    if (!reason && model.source.kind === 'local' && !fs.existsSync(model.source.path)) reason = `the file ${model.source.path} is missing`;
    const source = model.source;
    if (!reason && source.kind === 'bundled' && !source.files.every((f) => fs.existsSync(path.join(source.package, f)))) {
      reason = 'the bundled files are missing from this installation';
    }
    return { ...model, sizeBytes, available: reason === null, unavailableReason: reason };
  }

  #checkLocalFile(file: string, sha256: string | undefined, confined: boolean): { path: string; size: number } {
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(this.dir, file));
    } catch {
      throw new CairnError('NOT_FOUND', `No model file at ${file}.`);
    }
    if (confined) {
      fs.mkdirSync(this.dir, { recursive: true });
      const root = fs.realpathSync(this.dir);
      if (!real.startsWith(root + path.sep)) throw new CairnError('PERMISSION_DENIED', `Extensions may register model files inside ${this.dir} only.`);
    }
    const stat = fs.statSync(real);
    if (!stat.isFile()) throw new CairnError('VALIDATION', `${file} is not a file.`);
    if (sha256) {
      const actual = createHash('sha256').update(fs.readFileSync(real)).digest('hex');
      if (actual !== sha256) throw new CairnError('VALIDATION', `The sha256 of ${file} is ${actual}, not ${sha256}.`);
    }
    return { path: real, size: stat.size };
  }

  #bundledModels(): AiModel[] {
    if (this.#bundled) return this.#bundled;
    let modelsDir: string;
    try {
      modelsDir = humanPaths().modelsDir;
    } catch {
      this.#bundled = [];
      return this.#bundled;
    }
    this.#bundled = BUNDLED_FACE_MODELS.map(([name, category, stem]) => {
      const files = [`${stem}.json`, `${stem}.bin`];
      const size = files.reduce((sum, f) => sum + (fs.statSync(path.join(modelsDir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
      return {
        name,
        category,
        format: 'human' as const,
        source: { kind: 'bundled' as const, package: modelsDir, files },
        sizeBytes: size,
        licence: 'MIT (@vladmandic/human; model credits in its models/README.md)',
        preference: 'local' as const,
        registeredBy: 'bundled',
        available: true,
        unavailableReason: null,
      };
    });
    return this.#bundled;
  }

  #read(): AiModel[] {
    const file = path.join(this.dir, 'registry.json');
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    try {
      return RegistryFile.parse(JSON.parse(text)).models;
    } catch {
      // Keep a broken file aside rather than losing it, and start empty.
      fs.renameSync(file, `${file}.broken-${Date.now()}`);
      return [];
    }
  }

  #write(models: AiModel[]): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, 'registry.json');
    const tmp = `${file}.${process.pid}.tmp`;
    const stored = models.map((m) => ({ ...m, available: true, unavailableReason: null }));
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, models: stored }, null, 2));
    fs.renameSync(tmp, file);
  }
}
