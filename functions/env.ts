/**
 * Bindings of the Worker (wrangler.toml).
 */
export interface Env {
  /** Static assets: the built site, with models under /models/. */
  ASSETS: Fetcher;
}

export type AppEnv = { Bindings: Env };
