import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/temp-dir.js';
import { addModel } from './testing/tiny-onnx.js';
import { ONNX_NOT_INSTALLED, OnnxModelLoader, type OnnxModel } from './onnx-loader.js';

const tmp = makeTempDir('cairn-onnx');
afterAll(() => tmp.cleanup());

const f32 = (dims: number[], data: number[]) => ({ type: 'float32' as const, dims, data });

describe('OnnxModelLoader (onnxruntime-node in a worker thread)', () => {
  it('loads a real ONNX model in a worker and runs it: a + b', async () => {
    const file = path.join(tmp.dir, 'add.onnx');
    fs.writeFileSync(file, addModel([2, 3]));
    const loader = new OnnxModelLoader();
    expect(loader.availability()).toEqual({ available: true });
    const model: OnnxModel = await loader.load('adder', file);
    try {
      expect(model.inputNames).toEqual(['a', 'b']);
      expect(model.outputNames).toEqual(['sum']);
      const out = await model.run({ a: f32([2, 3], [1, 2, 3, 4, 5, 6]), b: f32([2, 3], [10, 20, 30, 40, 50, 60.5]) });
      expect(out).toEqual({ sum: f32([2, 3], [11, 22, 33, 44, 55, 66.5]) });
      // Concurrent runs are answered each with its own result.
      const many = await Promise.all([1, 2, 3].map((k) => model.run({ a: f32([2, 3], Array(6).fill(k)), b: f32([2, 3], Array(6).fill(k)) })));
      expect(many.map((o) => o.sum!.data[0])).toEqual([2, 4, 6]);
    } finally {
      await model.dispose();
    }
    await expect(model.run({ a: f32([2, 3], Array(6).fill(0)), b: f32([2, 3], Array(6).fill(0)) })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('refuses bad feeds with VALIDATION and keeps working', async () => {
    const file = path.join(tmp.dir, 'add3.onnx');
    fs.writeFileSync(file, addModel([3]));
    const model = await new OnnxModelLoader().load('adder', file);
    try {
      await expect(model.run({ a: f32([3], [1, 2, 3]) })).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('adder refused its input') });
      await expect(model.run({ a: f32([4], [1, 2, 3, 4]), b: f32([4], [1, 2, 3, 4]) })).rejects.toMatchObject({ code: 'VALIDATION' });
      expect((await model.run({ a: f32([3], [1, 2, 3]), b: f32([3], [1, 1, 1]) })).sum!.data).toEqual([2, 3, 4]);
    } finally {
      await model.dispose();
    }
  });

  it('fails clearly for a missing file, a file that is not a model, and a missing runtime', async () => {
    const loader = new OnnxModelLoader();
    await expect(loader.load('none', path.join(tmp.dir, 'absent.onnx'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const junk = path.join(tmp.dir, 'junk.onnx');
    fs.writeFileSync(junk, 'not really onnx');
    await expect(loader.load('junk', junk)).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('junk is not a model onnxruntime can load') });
    const missing = new OnnxModelLoader(() => {
      throw new Error('Cannot find module onnxruntime-node');
    });
    expect(missing.availability()).toEqual({ available: false, reason: ONNX_NOT_INSTALLED });
    await expect(missing.load('junk', junk)).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining(ONNX_NOT_INSTALLED) });
  });
});
