/**
 * Models for the Worker: manifests and ONNX bytes come from the static-assets binding; one runtime per
 * isolate and a bounded cache of loaded models (sessions are reused across requests).
 */
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { FetchModelStore, type ModelStore } from '../../src/core/models/registry.js';
import type { Runtime } from '../../src/core/runtime/types.js';
import type { Env } from '../env.js';

/** Models kept loaded per isolate (a Worker has 128 MB). */
export const MAX_LOADED_MODELS = 4;

export class ModelCache {
  private readonly loaded = new Map<string, Promise<LoadedModel>>();
  constructor(
    readonly store: ModelStore,
    readonly runtime: Runtime,
  ) {}

  get(id: string): Promise<LoadedModel> {
    let p = this.loaded.get(id);
    if (p) {
      this.loaded.delete(id);
      this.loaded.set(id, p);
      return p;
    }
    p = (async () => new LoadedModel(await this.store.manifest(id), await this.store.modelBytes(id), this.runtime))();
    p.catch(() => this.loaded.delete(id));
    this.loaded.set(id, p);
    while (this.loaded.size > MAX_LOADED_MODELS) {
      const oldest = this.loaded.keys().next().value as string;
      const victim = this.loaded.get(oldest)!;
      this.loaded.delete(oldest);
      victim.then((m) => m.dispose()).catch(() => undefined);
    }
    return p;
  }
}

export function assetStore(env: Env): ModelStore {
  // Only the path matters to the assets binding; the host is a placeholder.
  return new FetchModelStore((path) => env.ASSETS.fetch(new Request(`https://assets.local${path}`)), '/models/');
}
