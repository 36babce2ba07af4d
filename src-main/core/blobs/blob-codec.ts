import { compress, decompress, init as initZstd } from '@bokuweb/zstd-wasm';
import { createBLAKE3, type IHasher } from 'hash-wasm';

/** zstd level for blob fields: 3 is zstd's default, fast with a good ratio on JSON. */
const ZSTD_LEVEL = 3;
/** Values smaller than this are stored raw: zstd's frame overhead would outweigh any gain. */
const MIN_COMPRESS_BYTES = 64;

let loading: Promise<BlobCodec> | undefined;

/**
 * Hashing (BLAKE3, hex) and compression (zstd) of blob values, synchronous once loaded. Both libraries are
 * WebAssembly that must be instantiated asynchronously, so {@link BlobCodec.load} runs once per thread and
 * everything after it is synchronous, which registry handlers and the extension bridge need.
 *
 * Failure modes: `load` rejects if either wasm module cannot be instantiated; `decode` throws zstd's error on
 * corrupt data (callers report it as `LIBRARY_CORRUPT`).
 *
 * @example
 * const codec = await BlobCodec.load();
 * const { hash, stored, compression } = codec.encode(new TextEncoder().encode('{"a":1}'));
 * codec.decode(stored, compression); // the original bytes
 */
export class BlobCodec {
  readonly #hasher: IHasher;

  private constructor(hasher: IHasher) {
    this.#hasher = hasher;
  }

  /** The codec of this thread, loading the wasm modules on first use. */
  static load(): Promise<BlobCodec> {
    loading ??= (async () => {
      await initZstd();
      return new BlobCodec(await createBLAKE3());
    })();
    return loading;
  }

  /** BLAKE3-256 of `bytes` as 64 hex characters. */
  hash(bytes: Uint8Array): string {
    this.#hasher.init();
    this.#hasher.update(bytes);
    return this.#hasher.digest('hex');
  }

  /** Hashes and compresses `bytes`; keeps them raw (`compression: null`) when zstd does not make them smaller. */
  encode(bytes: Uint8Array): { hash: string; stored: Uint8Array; compression: 'zstd' | null } {
    const hash = this.hash(bytes);
    if (bytes.length >= MIN_COMPRESS_BYTES) {
      const packed = compress(bytes, ZSTD_LEVEL);
      if (packed.length < bytes.length) return { hash, stored: packed, compression: 'zstd' };
    }
    return { hash, stored: bytes, compression: null };
  }

  /** The original bytes of a stored blob. */
  decode(stored: Uint8Array, compression: string | null): Uint8Array {
    return compression === 'zstd' ? decompress(stored) : stored;
  }
}
