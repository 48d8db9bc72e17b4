/**
 * Benchmark-only Worker (bench/wrangler.toml): runs a committed model's forward pass `reps` times on a batch
 * inside workerd, so bench/run.mjs can time it from outside (deployed Workers only advance timers after I/O).
 */
import { LoadedModel } from '../src/core/models/loaded-model.js';
import { FetchModelStore } from '../src/core/models/registry.js';
import { forward } from '../src/core/predict.js';
import { createWorkerdRuntime } from '../src/core/runtime/workerd.js';
import ortWasm from '../functions/generated/ort-wasm-simd-threaded.wasm';

interface Env {
  ASSETS: Fetcher;
}

const models = new Map<string, Promise<LoadedModel>>();

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    const id = url.searchParams.get('model') ?? '';
    const batch = Math.max(1, Math.min(64, Number(url.searchParams.get('batch') ?? 1)));
    const reps = Math.max(1, Math.min(200, Number(url.searchParams.get('reps') ?? 1)));
    const runtime = createWorkerdRuntime(ortWasm);
    const store = new FetchModelStore((p) => env.ASSETS.fetch(new Request(`https://assets.local${p}`)));
    let p = models.get(id);
    if (!p) {
      p = (async () => new LoadedModel(await store.manifest(id), await store.modelBytes(id), runtime))();
      models.set(id, p);
    }
    const model = await p;
    const shape = model.inputShape(batch);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
    let checksum = 0;
    for (let r = 0; r < reps; r++) checksum += (await forward(model, { data, shape })).data[0];
    return Response.json({ model: id, batch, reps, checksum });
  },
};
