import type { AiModel, ModelPreference } from '../../../src-shared/contract/ai.js';
import { CairnError } from '../../../src-shared/errors.js';
import type { ModelAccess } from './model-grants.js';
import { isLoopbackUrl } from './model-registry.js';

/** One generation request. */
export interface LlmRequest {
  prompt: string;
  system?: string;
  maxTokens: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface LlmResult {
  text: string;
  provider: 'ollama' | 'openai';
  preference: ModelPreference;
  usage: { promptTokens: number; completionTokens: number } | null;
}

export interface LlmClientOptions {
  /** The HTTP client (tests may pass a counting wrapper). Default: global fetch. */
  fetch?: typeof fetch;
  /** Where API keys are read from (`apiKeyEnv`). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Per-request time limit. Default 120 s. */
  timeoutMs?: number;
}

/**
 * Where a model really runs: `local` only when registered local AND its endpoint is on this machine.
 * An endpoint elsewhere is cloud whatever its registration says.
 */
export function effectivePreference(model: AiModel): ModelPreference {
  const source = model.source;
  if (source.kind === 'ollama' || source.kind === 'openai') return model.preference === 'local' && isLoopbackUrl(source.baseUrl) ? 'local' : 'cloud';
  return model.preference;
}

/**
 * Talks to LLM endpoints: Ollama's `/api/chat` (usually http://127.0.0.1:11434) and OpenAI-compatible
 * `/chat/completions` APIs (OpenAI, llama.cpp server, LM Studio, vLLM …), without streaming.
 *
 * The consent rule comes first: a model that runs in the cloud is refused with `PERMISSION_DENIED` unless
 * `access.allowCloud` (a user, or an extension whose UseModel(llm) grant says cloud), before any request is
 * made. Other failures: `NOT_SUPPORTED` (not an llm model, or not an HTTP one), `IO` (unreachable endpoint,
 * non-2xx answer, malformed JSON), `TIMEOUT`, `CANCELLED` (the caller's signal).
 *
 * @example
 * const llm = new LlmClient();
 * const r = await llm.generate(models.get('llama3.2'), { prompt: 'Caption: a cat on a sofa', maxTokens: 64 }, { allowCloud: false, who: 'user' });
 * r.text; // 'A tabby cat naps on a sofa.'
 */
export class LlmClient {
  readonly #fetch: typeof fetch;
  readonly #env: NodeJS.ProcessEnv;
  readonly #timeoutMs: number;

  constructor(options: LlmClientOptions = {}) {
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#env = options.env ?? process.env;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  async generate(model: AiModel, request: LlmRequest, access: ModelAccess): Promise<LlmResult> {
    if (model.category !== 'llm') throw new CairnError('NOT_SUPPORTED', `${model.name} is a ${model.category} model, not an llm.`);
    const preference = effectivePreference(model);
    if (preference === 'cloud' && !access.allowCloud) {
      throw new CairnError('PERMISSION_DENIED', `${model.name} runs in the cloud, and ${access.who} may use local models only.`);
    }
    const source = model.source;
    const messages = [...(request.system ? [{ role: 'system', content: request.system }] : []), { role: 'user', content: request.prompt }];
    if (source.kind === 'ollama') {
      const body = await this.#post(`${trimSlash(source.baseUrl)}/api/chat`, {}, {
        model: source.model,
        messages,
        stream: false,
        options: { num_predict: request.maxTokens, ...(request.temperature !== undefined ? { temperature: request.temperature } : {}) },
      }, request.signal, model.name);
      const text = readPath(body, ['message', 'content']);
      if (typeof text !== 'string') throw new CairnError('IO', `${model.name}: Ollama's answer has no message.content.`);
      const promptTokens = readPath(body, ['prompt_eval_count']);
      const completionTokens = readPath(body, ['eval_count']);
      return {
        text,
        provider: 'ollama',
        preference,
        usage: typeof promptTokens === 'number' && typeof completionTokens === 'number' ? { promptTokens, completionTokens } : null,
      };
    }
    if (source.kind === 'openai') {
      const key = source.apiKeyEnv ? this.#env[source.apiKeyEnv] : undefined;
      if (source.apiKeyEnv && !key) throw new CairnError('NOT_SUPPORTED', `${model.name} needs an API key in the environment variable ${source.apiKeyEnv}.`);
      const body = await this.#post(`${trimSlash(source.baseUrl)}/chat/completions`, key ? { authorization: `Bearer ${key}` } : {}, {
        model: source.model,
        messages,
        max_tokens: request.maxTokens,
        stream: false,
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      }, request.signal, model.name);
      const text = readPath(body, ['choices', 0, 'message', 'content']);
      if (typeof text !== 'string') throw new CairnError('IO', `${model.name}: the answer has no choices[0].message.content.`);
      const promptTokens = readPath(body, ['usage', 'prompt_tokens']);
      const completionTokens = readPath(body, ['usage', 'completion_tokens']);
      return {
        text,
        provider: 'openai',
        preference,
        usage: typeof promptTokens === 'number' && typeof completionTokens === 'number' ? { promptTokens, completionTokens } : null,
      };
    }
    throw new CairnError('NOT_SUPPORTED', `${model.name} is not served over HTTP; only Ollama and OpenAI-compatible llm models can generate.`);
  }

  async #post(url: string, headers: Record<string, string>, payload: unknown, signal: AbortSignal | undefined, name: string): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.#fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload), signal: combined });
    } catch (error) {
      if (signal?.aborted) throw new CairnError('CANCELLED', `${name}: the request was cancelled.`);
      if (timeout.aborted) throw new CairnError('TIMEOUT', `${name}: no answer within ${this.#timeoutMs} ms.`);
      throw new CairnError('IO', `${name}: cannot reach ${new URL(url).origin} (${(error as Error).message}).`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new CairnError('IO', `${name}: ${new URL(url).origin} answered ${response.status}: ${text.slice(0, 300)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new CairnError('IO', `${name}: the answer is not JSON.`);
    }
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function readPath(value: unknown, keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
