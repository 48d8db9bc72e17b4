/**
 * SHA-256 digests with WebCrypto (Workers, browsers and Node alike): cache keys for identical requests.
 * Canonical JSON (sorted keys) is the perturbation codec's, re-exported so there is one.
 */
export { canonicalJson } from '../../src/core/perturbation/codec.js';
export async function sha256Hex(parts: readonly (Uint8Array | string)[]): Promise<string> {
  const enc = new TextEncoder();
  const chunks = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p));
  const total = chunks.reduce((a, c) => a + c.length + 4, 0);
  const buf = new Uint8Array(total);
  const view = new DataView(buf.buffer);
  let off = 0;
  // Length-prefix every part so ("ab","c") and ("a","bc") differ.
  for (const c of chunks) {
    view.setUint32(off, c.length);
    buf.set(c, off + 4);
    off += c.length + 4;
  }
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}
