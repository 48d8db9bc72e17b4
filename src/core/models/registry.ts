/**
 * Where models come from. A ModelStore lists manifests and hands out ONNX bytes; the same interface is backed
 * by the filesystem (Node: models/<id>/), or by anything that can fetch a path (Workers' static-assets binding,
 * or a URL in the browser): `models/index.json` lists the ids, `models/<id>/manifest.json` and
 * `models/<id>/model.onnx` hold each model.
 */
import { InvalidInputError, NotFoundError } from '../errors.js';
import { parseManifest, type ModelManifest } from './manifest.js';

export interface ModelStore {
  list(): Promise<ModelManifest[]>;
  manifest(id: string): Promise<ModelManifest>;
  modelBytes(id: string): Promise<Uint8Array>;
}

/** The index file: `{ "models": ["fmnist-cnn", ...] }`. */
export interface ModelIndex {
  models: string[];
}

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function checkModelId(id: string, known?: readonly string[]): void {
  if (typeof id !== 'string' || !ID_RE.test(id) || (known && !known.includes(id))) {
    const list = known ? `; available: ${known.join(', ')}` : '';
    throw new NotFoundError(`unknown model ${JSON.stringify(id)}${list}`, { param: 'model', code: 'unknown_model' });
  }
}

/** A store over any `fetch`-like function: Workers' ASSETS.fetch, or the browser's fetch with a base URL. */
export class FetchModelStore implements ModelStore {
  private index?: Promise<string[]>;
  private readonly manifests = new Map<string, Promise<ModelManifest>>();

  constructor(
    private readonly fetcher: (url: string) => Promise<Response>,
    private readonly base = '/models/',
  ) {}

  private ids(): Promise<string[]> {
    this.index ??= (async () => {
      const res = await this.fetcher(`${this.base}index.json`);
      if (!res.ok) throw new NotFoundError(`model index ${this.base}index.json: HTTP ${res.status}`);
      const json = (await res.json()) as ModelIndex;
      if (!json || !Array.isArray(json.models)) throw new InvalidInputError(`model index ${this.base}index.json has no "models" array`);
      return json.models;
    })();
    this.index.catch(() => (this.index = undefined));
    return this.index;
  }

  async list(): Promise<ModelManifest[]> {
    return Promise.all((await this.ids()).map((id) => this.manifest(id)));
  }

  async manifest(id: string): Promise<ModelManifest> {
    checkModelId(id, await this.ids());
    let p = this.manifests.get(id);
    if (!p) {
      p = (async () => {
        const res = await this.fetcher(`${this.base}${id}/manifest.json`);
        if (!res.ok) throw new NotFoundError(`manifest of model "${id}": HTTP ${res.status}`, { param: 'model' });
        return parseManifest(await res.json(), `models/${id}/manifest.json`);
      })();
      p.catch(() => this.manifests.delete(id));
      this.manifests.set(id, p);
    }
    return p;
  }

  async modelBytes(id: string): Promise<Uint8Array> {
    checkModelId(id, await this.ids());
    const res = await this.fetcher(`${this.base}${id}/model.onnx`);
    if (!res.ok) throw new NotFoundError(`model file of "${id}": HTTP ${res.status}`, { param: 'model' });
    return new Uint8Array(await res.arrayBuffer());
  }
}
