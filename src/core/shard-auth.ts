/**
 * Signed shard specs: a coordinator (or POST /api/plan) signs each shard spec with HMAC-SHA256 and an expiry,
 * and a shard endpoint runs only specs it can verify, so the public cannot push arbitrary heavy work through
 * it. Token: "<expires unix ms>.<hex mac>", mac = HMAC-SHA256(secret, "<expires>." + canonicalJson(spec)).
 * WebCrypto only: the same code runs in Workers, Node and browsers.
 */
import { XaiError } from './errors.js';
import { canonicalJson } from './perturbation/codec.js';
import type { ShardSpec } from './perturbation/types.js';

/** The request header that carries the token. */
export const SHARD_AUTH_HEADER = 'x-xai-shard-auth';
/** Default validity of a signature. */
export const SHARD_TOKEN_TTL_MS = 10 * 60 * 1000;

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  if (typeof secret !== 'string' || secret.length < 16) throw new XaiError('runtime', 'bad_secret', 'the shard-signing secret must be at least 16 characters');
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    if (keys.size > 8) keys.clear();
    keys.set(secret, k);
  }
  return k;
}

const toHex = (b: ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

/** Sign one shard spec, valid until `expires` (unix ms). */
export async function signShard(secret: string, shard: ShardSpec, expires = Date.now() + SHARD_TOKEN_TTL_MS): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), new TextEncoder().encode(`${expires}.${canonicalJson(shard)}`));
  return `${expires}.${toHex(mac)}`;
}

/** Headers for posting a signed shard (the HTTP executor's `sign` hook). */
export async function shardAuthHeaders(secret: string, shard: ShardSpec): Promise<Record<string, string>> {
  return { [SHARD_AUTH_HEADER]: await signShard(secret, shard) };
}

/** Why a token was refused (403), or undefined when it is valid. */
export async function verifyShard(secret: string, shard: unknown, token: string | null | undefined, now = Date.now()): Promise<string | undefined> {
  if (!token) return `missing ${SHARD_AUTH_HEADER} header: shard specs must be signed by a coordinator (POST /api/plan)`;
  const m = /^(\d{1,16})\.([0-9a-f]{64})$/.exec(token);
  if (!m) return `malformed ${SHARD_AUTH_HEADER} token`;
  const expires = Number(m[1]);
  if (expires < now) return 'the shard signature has expired';
  const mac = new Uint8Array(m[2].match(/../g)!.map((h) => parseInt(h, 16)));
  const ok = await crypto.subtle.verify('HMAC', await hmacKey(secret), mac, new TextEncoder().encode(`${expires}.${canonicalJson(shard)}`));
  return ok ? undefined : 'the shard signature does not match the spec';
}
