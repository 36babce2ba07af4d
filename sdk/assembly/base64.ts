// Base64, because the host carries file bytes and sidecars inside JSON (`entries.readBytes`, `sidecars.*`).
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Encodes bytes as standard base64 with padding.
 *
 * @example
 * base64Encode(Uint8Array.wrap(String.UTF8.encode("hi"))); // "aGk="
 */
export function base64Encode(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Array<string>();
  let i = 0;
  let chunk = "";
  for (; i + 3 <= n; i += 3) {
    const v = (<u32>bytes[i] << 16) | (<u32>bytes[i + 1] << 8) | <u32>bytes[i + 2];
    chunk += ALPHABET.charAt((v >> 18) & 63) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63) + ALPHABET.charAt(v & 63);
    if (chunk.length >= 4096) { out.push(chunk); chunk = ""; }
  }
  const rest = n - i;
  if (rest == 1) {
    const v = <u32>bytes[i] << 16;
    chunk += ALPHABET.charAt((v >> 18) & 63) + ALPHABET.charAt((v >> 12) & 63) + "==";
  } else if (rest == 2) {
    const v = (<u32>bytes[i] << 16) | (<u32>bytes[i + 1] << 8);
    chunk += ALPHABET.charAt((v >> 18) & 63) + ALPHABET.charAt((v >> 12) & 63) + ALPHABET.charAt((v >> 6) & 63) + "=";
  }
  out.push(chunk);
  return out.join("");
}

function decodeChar(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 43) return 62;
  if (c == 47) return 63;
  return -1;
}

/**
 * Decodes standard base64 (padding optional). Characters outside the alphabet are skipped.
 *
 * @example
 * base64Decode("aGk="); // bytes of "hi"
 */
export function base64Decode(text: string): Uint8Array {
  const out = new Uint8Array((text.length * 3) / 4 + 3);
  let acc: u32 = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const d = decodeChar(text.charCodeAt(i));
    if (d < 0) continue;
    acc = (acc << 6) | <u32>d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = <u8>((acc >> bits) & 0xff);
    }
  }
  return out.subarray(0, o);
}
