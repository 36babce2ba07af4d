import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { packageError, type SignatureFile } from './package-format.js';

// DER prefix of an ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Who signed a package: the key in two encodings and a short fingerprint to show and store. */
export interface PackageSigner {
  /** Base64 DER SubjectPublicKeyInfo, the form the store catalog uses for `public_key`. */
  publicKeySpki: string;
  /** `ed25519:` and the first 32 hex digits of the sha256 of the raw key. */
  fingerprint: string;
}

/** Turns a base64 raw (32 bytes) or spki ed25519 public key into a KeyObject; `VALIDATION` if it is neither. */
export function importEd25519PublicKey(base64: string): KeyObject {
  const bytes = Buffer.from(base64, 'base64');
  const der = bytes.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, bytes]) : bytes;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw packageError('its signature.json holds a public key that is not an ed25519 key (base64, raw 32 bytes or spki).');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw packageError(`its signature.json holds a ${key.asymmetricKeyType ?? 'unknown'} key; only ed25519 is accepted.`);
  return key;
}

/** The signer of a key, for display and for `extension_installs.signed_by`. */
export function describeSigner(key: KeyObject): PackageSigner {
  const spki = key.export({ format: 'der', type: 'spki' });
  const raw = spki.subarray(ED25519_SPKI_PREFIX.length);
  return {
    publicKeySpki: spki.toString('base64'),
    fingerprint: `ed25519:${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`,
  };
}

/**
 * Checks a package signature over the exact bytes of `files.json`. Returns the signer when it holds; a
 * signature that does not verify is refused (`VALIDATION`), never downgraded to "unsigned".
 *
 * @example
 * const signer = verifyPackageSignature(filesJsonBytes, { algorithm: 'ed25519', publicKey, signature });
 */
export function verifyPackageSignature(filesJson: Uint8Array, sig: SignatureFile): PackageSigner {
  const key = importEd25519PublicKey(sig.publicKey);
  let ok = false;
  try {
    ok = verify(null, filesJson, key, Buffer.from(sig.signature, 'base64'));
  } catch {
    ok = false;
  }
  if (!ok) throw packageError('its publisher signature does not match its contents (it may have been altered after signing).');
  return describeSigner(key);
}

/**
 * Signs `files.json` bytes with an ed25519 private key, giving the `signature.json` object.
 *
 * @example
 * const { privateKey } = generateKeyPairSync('ed25519');
 * const sig = signFilesJson(filesJson, privateKey);
 */
export function signFilesJson(filesJson: Uint8Array, privateKey: KeyObject): SignatureFile {
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  return { algorithm: 'ed25519', publicKey, signature: sign(null, filesJson, privateKey).toString('base64') };
}
