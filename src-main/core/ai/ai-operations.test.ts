import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CairnCore } from '../cairn-core.js';
import type { Library } from '../library/library.js';
import type { CallContext } from '../registry/operation-registry.js';
import { seedEntries } from '../testing/seed-entries.js';
import { makeTempDir } from '../testing/temp-dir.js';
import { startTestCore, userCtx } from '../testing/test-core.js';
import { cosineDistance } from './embedding-codec.js';
import { ONNX_NOT_INSTALLED, OnnxModelLoader } from './onnx-loader.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../shared/fixtures/images');
const SLOW = 240_000;
const EXT = 'com.example.photos';
const extCtx: CallContext = { caller: { kind: 'extension', extensionId: EXT } };

interface Seen {
  path: string;
  body: Record<string, unknown>;
}

/** A fake LLM endpoint on 127.0.0.1 answering like Ollama (/api/chat) and OpenAI (/v1/chat/completions). */
async function fakeLlmServer(): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      seen.push({ path: req.url ?? '', body });
      const messages = body.messages as { content: string }[];
      const last = messages[messages.length - 1]!.content;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/chat') {
        res.end(JSON.stringify({ model: body.model, message: { role: 'assistant', content: `ollama says: ${last}` }, prompt_eval_count: 7, eval_count: 3, done: true }));
      } else if (req.url === '/v1/chat/completions') {
        if (req.headers.authorization !== 'Bearer sk-test') {
          res.statusCode = 401;
          res.end(JSON.stringify({ error: 'no key' }));
          return;
        }
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `cloud says: ${last}` } }], usage: { prompt_tokens: 9, completion_tokens: 4 } }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Installs a fake extension row with the given UseModel permissions, all granted (or not). */
function installExtension(lib: Library, permissions: { category: string; preference: 'local' | 'cloud'; granted?: boolean }[]): void {
  const manifest = {
    id: EXT,
    name: 'Photos',
    version: '1.0.0',
    publisher: 'Example',
    min_core_version: '0.1.0',
    permissions: permissions.map((p) => ({ type: 'UseModel', category: p.category, preference: p.preference, reason: 'to find faces and write captions' })),
  };
  const now = new Date().toISOString();
  lib.raw.prepare('DELETE FROM extension_installs WHERE id = ?').run(EXT);
  lib.raw
    .prepare("INSERT INTO extension_installs (id, version, manifest, enabled, state, package_sha256, installed_at, updated_at) VALUES (?, '1.0.0', ?, 1, 'active', 'x', ?, ?)")
    .run(EXT, JSON.stringify(manifest), now, now);
  const grants = permissions.map((p, index) => ({ index, type: 'UseModel', granted: p.granted ?? true, scopes: [] }));
  lib.raw.prepare('INSERT INTO extension_grants (extension_id, grants, updated_at) VALUES (?, ?, ?)').run(EXT, JSON.stringify(grants), now);
}

let core: CairnCore;
let dispose: () => Promise<void>;
let lib: Library;
let entries: Map<string, string>;
let llm: Awaited<ReturnType<typeof fakeLlmServer>>;
const folder = makeTempDir('cairn-ai-photos');

beforeAll(async () => {
  process.env.CAIRN_TEST_OPENAI_KEY = 'sk-test';
  ({ core, dispose } = await startTestCore());
  llm = await fakeLlmServer();
  const [summary] = await core.registry.call('library.list', {}, userCtx);
  lib = await core.libraries.get(summary!.id);
  for (const name of ['astronaut.png', 'chelsea.png']) fs.copyFileSync(path.join(FIXTURES, name), path.join(folder.dir, name));
  const locationId = '22222222-2222-4222-8222-222222222222';
  lib.raw.prepare(`INSERT INTO locations (id, path, name, added_at, device_id, settings) VALUES (?, ?, 'photos', '', 'test', '{}')`).run(locationId, folder.dir);
  ({ entryIds: entries } = seedEntries(lib, locationId, [
    { relPath: 'astronaut.png', content: 'astronaut' },
    { relPath: 'chelsea.png', content: 'chelsea' },
  ]));
});
afterAll(async () => {
  await dispose();
  await llm.close();
  folder.cleanup();
  delete process.env.CAIRN_TEST_OPENAI_KEY;
});

describe('ai.* operations', () => {
  it('lists the bundled face models, available', async () => {
    const { items } = await core.registry.call('ai.models', {}, userCtx);
    expect(items.map((m) => m.name)).toEqual(expect.arrayContaining(['human-blazeface', 'human-facemesh', 'human-faceres']));
    expect(items.every((m) => m.registeredBy !== 'bundled' || (m.available && m.preference === 'local' && (m.sizeBytes ?? 0) > 100_000))).toBe(true);
    const { items: embedders } = await core.registry.call('ai.models', { category: 'face_embedding' }, userCtx);
    expect(embedders.map((m) => m.name)).toEqual(['human-faceres']);
  });

  it('detects faces in an entry, writes crops and embeddings as sidecars, and embeds from them', { timeout: SLOW }, async () => {
    const libraryId = lib.id;
    const r = await core.registry.call('ai.detectFaces', { libraryId, entryId: entries.get('astronaut.png')! }, userCtx);
    expect(r.faces).toHaveLength(1);
    expect(r).toMatchObject({ width: 512, height: 512, embeddingsStored: true });
    const face = r.faces[0]!;
    expect(face.crop).toMatchObject({ kind: 'face_crop', variant: '0', format: 'webp' });
    const cropFile = path.join(lib.path, 'sidecars', ...face.crop!.relPath.split('/'));
    expect(fs.readFileSync(cropFile).subarray(8, 12).toString()).toBe('WEBP');
    expect(face.crop!.relPath).toContain(r.contentId!);

    const cat = await core.registry.call('ai.detectFaces', { libraryId, entryId: entries.get('chelsea.png')! }, userCtx);
    expect(cat.faces).toEqual([]);

    const stored = await core.registry.call('ai.embed', { libraryId, entryId: entries.get('astronaut.png')!, faceIndex: 0 }, userCtx);
    expect(stored).toMatchObject({ dim: 1024, fromCache: true });
    const missing = await core.registry.invoke('ai.embed', { libraryId, entryId: entries.get('astronaut.png')!, faceIndex: 3 }, userCtx);
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // The crop itself embeds close to the stored vector.
    const fromCrop = await core.registry.call('ai.embed', { libraryId, image: fs.readFileSync(cropFile).toString('base64') }, userCtx);
    expect(cosineDistance(fromCrop.vector, stored.vector)).toBeLessThan(0.35);

    const unknown = await core.registry.invoke('ai.detectFaces', { libraryId, entryId: '33333333-3333-4333-8333-333333333333' }, userCtx);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('lets an extension use face models only with a UseModel grant for the category', async () => {
    const input = { libraryId: lib.id, entryId: entries.get('astronaut.png')! };
    installExtension(lib, [{ category: 'face_detection', preference: 'local', granted: false }]);
    expect(await core.registry.invoke('ai.detectFaces', input, extCtx)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await core.registry.invoke('ai.embed', { ...input, faceIndex: 0 }, extCtx)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    installExtension(lib, [{ category: 'face_embedding', preference: 'local' }]);
    expect(await core.registry.invoke('ai.embed', { ...input, faceIndex: 0 }, extCtx)).toMatchObject({ ok: true, value: { fromCache: true, dim: 1024 } });
  });

  it('registers LLM endpoints: off this machine only as cloud; extensions within their grant', async () => {
    const local = await core.registry.call(
      'ai.registerModel',
      { model: { name: 'llama3.2', category: 'llm', source: { kind: 'ollama', baseUrl: llm.url, model: 'llama3.2' }, licence: 'Llama 3.2 Community' } },
      userCtx,
    );
    expect(local).toMatchObject({ format: 'ollama', preference: 'local', registeredBy: 'user', available: true });
    const cloud = await core.registry.call(
      'ai.registerModel',
      {
        model: { name: 'gpt-test', category: 'llm', source: { kind: 'openai', baseUrl: `${llm.url}/v1`, model: 'gpt-test', apiKeyEnv: 'CAIRN_TEST_OPENAI_KEY' }, licence: 'proprietary', preference: 'cloud' },
      },
      userCtx,
    );
    expect(cloud).toMatchObject({ preference: 'cloud', format: 'openai' });
    const remoteAsLocal = await core.registry.invoke(
      'ai.registerModel',
      { model: { name: 'remote', category: 'llm', source: { kind: 'openai', baseUrl: 'https://api.example.com/v1', model: 'x' }, licence: 'x' } },
      userCtx,
    );
    expect(remoteAsLocal).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await core.registry.invoke('ai.registerModel', { model: { name: 'human-faceres', category: 'face_embedding', source: { kind: 'local', path: '/etc/hostname' }, licence: 'x' } }, userCtx)).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });

    installExtension(lib, [{ category: 'llm', preference: 'local' }]);
    const cloudModel = { name: 'ext-cloud', category: 'llm', source: { kind: 'openai', baseUrl: 'https://api.example.com/v1', model: 'x' }, licence: 'x', preference: 'cloud' } as const;
    expect(await core.registry.invoke('ai.registerModel', { libraryId: lib.id, model: cloudModel }, extCtx)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await core.registry.invoke('ai.registerModel', { model: cloudModel }, extCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const ocr = { name: 'ext-ocr', category: 'ocr', source: { kind: 'download', url: 'https://models.example.com/ocr.onnx', sha256: 'a'.repeat(64) }, licence: 'Apache-2.0' } as const;
    expect(await core.registry.invoke('ai.registerModel', { libraryId: lib.id, model: ocr }, extCtx)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    const own = await core.registry.call('ai.registerModel', { libraryId: lib.id, model: { ...ocr, name: 'ext-llm', category: 'llm' } }, extCtx);
    expect(own).toMatchObject({ registeredBy: EXT, available: false, unavailableReason: expect.stringContaining('not downloaded') });
    // Extensions may point only at files inside $CAIRN_HOME/models.
    const outside = await core.registry.invoke('ai.registerModel', { libraryId: lib.id, model: { name: 'ext-file', category: 'llm', source: { kind: 'local', path: path.join(folder.dir, 'astronaut.png') }, licence: 'x' } }, extCtx);
    expect(outside).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    // Nobody else may replace an extension's entry.
    expect(await core.registry.invoke('ai.registerModel', { model: { ...ocr, name: 'ext-llm', category: 'llm' } }, userCtx)).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('never calls a cloud model for an extension whose grant says local', async () => {
    installExtension(lib, [{ category: 'llm', preference: 'local' }]);
    const before = llm.seen.length;
    const denied = await core.registry.invoke('ai.generate', { libraryId: lib.id, model: 'gpt-test', prompt: 'hello' }, extCtx);
    expect(denied).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(llm.seen.length).toBe(before);
    // Without a model name, a local one is chosen.
    const local = await core.registry.call('ai.generate', { libraryId: lib.id, prompt: 'hello', maxTokens: 16 }, extCtx);
    expect(local).toMatchObject({ text: 'ollama says: hello', model: 'llama3.2', provider: 'ollama', preference: 'local', usage: { promptTokens: 7, completionTokens: 3 } });
    expect(llm.seen.at(-1)).toMatchObject({ path: '/api/chat', body: { model: 'llama3.2', stream: false, options: { num_predict: 16 } } });
    // No libraryId: the extension's grant cannot be checked.
    expect(await core.registry.invoke('ai.generate', { prompt: 'hello' }, extCtx)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('calls the cloud with a cloud grant, or for the user; a user may narrow to local', async () => {
    installExtension(lib, [{ category: 'llm', preference: 'cloud' }]);
    const r = await core.registry.call('ai.generate', { libraryId: lib.id, model: 'gpt-test', prompt: 'hi', system: 'be brief' }, extCtx);
    expect(r).toMatchObject({ text: 'cloud says: hi', provider: 'openai', preference: 'cloud', usage: { promptTokens: 9, completionTokens: 4 } });
    expect(llm.seen.at(-1)!.body).toMatchObject({ messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }], max_tokens: 512 });
    const narrowed = await core.registry.invoke('ai.generate', { model: 'gpt-test', prompt: 'hi', preference: 'local' }, userCtx);
    expect(narrowed).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect((await core.registry.call('ai.generate', { model: 'gpt-test', prompt: 'yo' }, userCtx)).text).toBe('cloud says: yo');
  });

  it("renders an extension's prompt template from its package", async () => {
    installExtension(lib, [{ category: 'llm', preference: 'local' }]);
    const prompts = path.join(lib.path, 'extensions', EXT, '1.0.0', 'prompts');
    fs.mkdirSync(prompts, { recursive: true });
    fs.writeFileSync(path.join(prompts, 'caption.jinja'), 'Caption a photo of {{ subject }} taken in {{ place }}.');
    const r = await core.registry.call('ai.generate', { libraryId: lib.id, template: { name: 'caption', vars: { subject: 'a cat', place: 'Paris' } } }, extCtx);
    expect(r.text).toBe('ollama says: Caption a photo of a cat taken in Paris.');
    const escape = await core.registry.invoke('ai.generate', { libraryId: lib.id, template: { name: '../manifest' } }, extCtx);
    expect(escape).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('reports an unreachable endpoint as IO', async () => {
    await core.registry.call('ai.registerModel', { model: { name: 'dead', category: 'llm', source: { kind: 'ollama', baseUrl: 'http://127.0.0.1:9', model: 'x' }, licence: 'x' } }, userCtx);
    expect(await core.registry.invoke('ai.generate', { model: 'dead', prompt: 'hi' }, userCtx)).toMatchObject({ ok: false, error: { code: 'IO' } });
  });

  it('registers ONNX files, available with onnxruntime-node installed; without it they cannot run', async () => {
    const file = path.join(core.home.modelsDir, 'custom', 'faces.onnx');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'not really onnx');
    const model = await core.registry.call('ai.registerModel', { model: { name: 'custom-faces', category: 'face_detection', source: { kind: 'local', path: file }, licence: 'MIT' } }, userCtx);
    expect(model).toMatchObject({ format: 'onnx', sizeBytes: 15, available: true, unavailableReason: null });
    await expect(new OnnxModelLoader().load('custom-faces', file)).rejects.toMatchObject({ code: 'VALIDATION' });
    const loader = new OnnxModelLoader(() => {
      throw new Error('Cannot find module onnxruntime-node');
    });
    await expect(loader.load('custom-faces', file)).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining(ONNX_NOT_INSTALLED) });
    const wrongHash = await core.registry.invoke('ai.registerModel', { model: { name: 'h', category: 'ocr', source: { kind: 'local', path: file, sha256: 'b'.repeat(64) }, licence: 'MIT' } }, userCtx);
    expect(wrongHash).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});
