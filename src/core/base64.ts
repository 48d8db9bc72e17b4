/**
 * Base64 <-> bytes without Node's Buffer (Workers and browsers have atob/btoa; so does Node 20).
 */
import { InvalidInputError } from './errors.js';

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decode standard base64 (a `data:...;base64,` prefix and whitespace are allowed). */
export function base64ToBytes(s: string, param = 'image'): Uint8Array {
  let body = s;
  const comma = body.startsWith('data:') ? body.indexOf(',') : -1;
  if (comma >= 0) body = body.slice(comma + 1);
  body = body.replace(/\s+/g, '');
  if (!B64_RE.test(body) || body.length % 4 === 1) {
    throw new InvalidInputError(`${param} is not valid base64`, { param });
  }
  let bin: string;
  try {
    bin = atob(body);
  } catch {
    throw new InvalidInputError(`${param} is not valid base64`, { param });
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) bin += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(bin);
}
