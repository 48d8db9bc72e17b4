/**
 * Bindings of the Worker (wrangler.toml, secrets, or `wrangler dev --var`).
 */
export interface Env {
  /** Static assets: the built site, with models under /models/. */
  ASSETS: Fetcher;
  /** Comma-separated origins allowed by CORS ("*" for any); empty: same origin only. */
  CORS_ORIGINS?: string;
  /** HMAC secret that signs shard specs (>= 16 characters). Without it /api/shards and /api/plan answer 503. */
  SHARD_SECRET?: string;
  /** Comma-separated shard endpoints (".../api/shards") this coordinator fans out to; empty: in process. */
  SHARD_ENDPOINTS?: string;
  /** Optional service binding to a shard-executor Worker (fan-out through the binding). */
  SHARD_SERVICE?: Fetcher;
}

export type AppEnv = { Bindings: Env; Variables: { requestId: string } };
