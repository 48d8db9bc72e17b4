/**
 * Node-only model store over a directory: every `<dir>/<id>/manifest.json` with a `model.onnx` beside it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../errors.js';
import { parseManifest, type ModelManifest } from './manifest.js';
import { checkModelId, type ModelStore } from './registry.js';

export class FsModelStore implements ModelStore {
  constructor(readonly dir: string) {}

  async ids(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    const ids: string[] = [];
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const ok = await stat(join(this.dir, e.name, 'manifest.json')).then(() => true, () => false);
      if (ok) ids.push(e.name);
    }
    return ids.sort();
  }

  async list(): Promise<ModelManifest[]> {
    return Promise.all((await this.ids()).map((id) => this.manifest(id)));
  }

  async manifest(id: string): Promise<ModelManifest> {
    checkModelId(id, await this.ids());
    const path = join(this.dir, id, 'manifest.json');
    const m = parseManifest(JSON.parse(await readFile(path, 'utf8')), path);
    if (m.id !== id) throw new NotFoundError(`${path}: id "${m.id}" does not match its folder "${id}"`, { param: 'model' });
    return m;
  }

  async modelBytes(id: string): Promise<Uint8Array> {
    checkModelId(id, await this.ids());
    return new Uint8Array(await readFile(join(this.dir, id, 'model.onnx')));
  }
}
