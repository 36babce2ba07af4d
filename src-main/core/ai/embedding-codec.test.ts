import { describe, expect, it } from 'vitest';
import { cosineDistance, normalize, packEmbeddings, unpackEmbeddings } from './embedding-codec.js';

function randomUnit(dim: number, seed: number): Float32Array {
  let s = seed;
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    v[i] = s / 2 ** 31 - 0.5;
  }
  return normalize(v);
}

describe('packEmbeddings', () => {
  it('stores 1024-d vectors in 1,028 bytes each and keeps cosine distances', () => {
    const vectors = [randomUnit(1024, 1), randomUnit(1024, 2), randomUnit(1024, 3)];
    const packed = packEmbeddings(vectors);
    expect(packed.byteLength).toBe(8 + 3 * 1028);
    const back = unpackEmbeddings(packed);
    expect(back).toHaveLength(3);
    for (let i = 0; i < 3; i++) {
      expect(cosineDistance(vectors[i]!, back[i]!)).toBeLessThan(0.001);
      for (let j = 0; j < 3; j++) expect(Math.abs(cosineDistance(back[i]!, back[j]!) - cosineDistance(vectors[i]!, vectors[j]!))).toBeLessThan(0.01);
    }
  });

  it('refuses mixed lengths, non-finite values and foreign bytes', () => {
    expect(() => packEmbeddings([[1, 2], [1]])).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => packEmbeddings([[1, Number.NaN]])).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => unpackEmbeddings(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => unpackEmbeddings(packEmbeddings([[1, 2]]).subarray(0, 10))).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  it('measures cosine distance', () => {
    expect(cosineDistance([1, 0], [0, 1])).toBeCloseTo(1);
    expect(cosineDistance([1, 1], [2, 2])).toBeCloseTo(0);
    expect(cosineDistance([1, 0], [-1, 0])).toBeCloseTo(2);
    expect(cosineDistance([0, 0], [1, 0])).toBe(1);
  });
});
