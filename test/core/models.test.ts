// The committed models and the registry: manifests validate, bad manifests name the bad field, both stores
// serve the same models, and each model classifies the 100 committed samples with >= 90% accuracy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeImage, imageToTensor } from '../../src/core/image/index.js';
import { FsModelStore } from '../../src/core/models/fs-store.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { parseManifest } from '../../src/core/models/manifest.js';
import { FetchModelStore } from '../../src/core/models/registry.js';
import { predict } from '../../src/core/predict.js';
import { createNodeRuntime } from '../../src/core/runtime/node.js';
import { concatBatch } from '../../src/core/tensor.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const store = new FsModelStore(join(root, 'models'));
const samples = JSON.parse(readFileSync(join(root, 'models/samples/fmnist/index.json'), 'utf8')) as { file: string; label: number; testIndex: number }[];

describe('committed models', () => {
  it('has two trained models with valid manifests and >= 91% recorded test accuracy', async () => {
    const list = (await store.list()).filter((m) => m.id.startsWith('fmnist-'));
    expect(list.map((m) => m.id)).toEqual(['fmnist-cnn', 'fmnist-resnet']);
    for (const m of list) {
      expect(m.metrics?.testAccuracy).toBeGreaterThanOrEqual(0.91);
      expect(m.labels).toHaveLength(10);
      expect(m.camLayer).toBeTruthy();
    }
  });

  it('the sample set has 10 test images per class', () => {
    expect(samples).toHaveLength(100);
    const perClass = new Map<number, number>();
    for (const s of samples) perClass.set(s.label, (perClass.get(s.label) ?? 0) + 1);
    expect([...perClass.values()]).toEqual(Array(10).fill(10));
  });

  for (const id of ['fmnist-cnn', 'fmnist-resnet']) {
    it(`${id} classifies the 100 samples with >= 90% accuracy, in batches, on native and wasm alike`, async () => {
      const manifest = await store.manifest(id);
      const bytes = await store.modelBytes(id);
      const batch = concatBatch(samples.map((s) => imageToTensor(decodeImage(new Uint8Array(readFileSync(join(root, 'models/samples/fmnist', s.file)))), manifest.preprocessing)));
      const results: number[][] = [];
      for (const backend of ['native', 'wasm'] as const) {
        const model = new LoadedModel(manifest, bytes, createNodeRuntime({ backend, threads: 2 }));
        const preds = await predict(model, batch);
        results.push(preds.map((p) => p.top[0].index));
        const acc = preds.filter((p, i) => p.top[0].index === samples[i].label).length / samples.length;
        expect(acc, `${id} ${backend}`).toBeGreaterThanOrEqual(0.9);
        await model.dispose();
      }
      expect(results[1]).toEqual(results[0]);
    });
  }
});

describe('manifest validation', () => {
  const good = JSON.parse(readFileSync(join(root, 'models/fmnist-cnn/manifest.json'), 'utf8'));
  const bad = (patch: (m: Record<string, any>) => void) => {
    const m = structuredClone(good);
    patch(m);
    return () => parseManifest(m, 'test manifest');
  };
  it('accepts the committed manifest', () => expect(parseManifest(good).id).toBe('fmnist-cnn'));
  it('names the bad field', () => {
    expect(bad((m) => delete m.labels)).toThrow(/field "labels"/);
    expect(bad((m) => (m.preprocessing.std = [0]))).toThrow(/field "preprocessing.std.0"/);
    expect(bad((m) => (m.input.shape = [-1, 3, 28, 28]))).toThrow(/field "input.shape.1" is 3 but preprocessing.channels "gray" means 1/);
    expect(bad((m) => (m.id = 'Bad Id'))).toThrow(/field "id" lower-case letters/);
    expect(bad((m) => (m.extra = 1))).toThrow(/"\(root\)"|extra/);
  });
});

describe('fetch model store', () => {
  it('serves the same manifests and bytes as the filesystem store and lists unknown ids', async () => {
    const ids = await store.ids();
    const files = new Map<string, Uint8Array | string>([['/models/index.json', JSON.stringify({ models: ids })]]);
    for (const id of ids) {
      files.set(`/models/${id}/manifest.json`, readFileSync(join(root, 'models', id, 'manifest.json'), 'utf8'));
      files.set(`/models/${id}/model.onnx`, new Uint8Array(readFileSync(join(root, 'models', id, 'model.onnx'))));
    }
    const fetcher = async (url: string) => (files.has(url) ? new Response(files.get(url)! as BodyInit) : new Response('nope', { status: 404 }));
    const remote = new FetchModelStore(fetcher, '/models/');
    expect((await remote.list()).map((m) => m.id)).toEqual(ids);
    expect(await remote.modelBytes('fmnist-cnn')).toEqual(await store.modelBytes('fmnist-cnn'));
    await expect(remote.manifest('resnet50')).rejects.toThrow(/unknown model "resnet50"; available: .*fmnist-cnn, fmnist-resnet/);
  });
});
