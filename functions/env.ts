/**
 * Bindings of the Worker (wrangler.toml).
 */
export interface Env {
  /** Static assets: the built site, with models under /models/. */
  ASSETS: Fetcher;
  /** Comma-separated origins allowed by CORS ("*" for any); empty: same origin only. */
  CORS_ORIGINS?: string;
}

export type AppEnv = { Bindings: Env; Variables: { requestId: string } };
