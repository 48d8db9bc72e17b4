// The device explanation worker: decodes the image, runs the library's explain() on onnxruntime-web
// (WebGPU, else WASM) and posts progress and the result. Shardable methods can fan their shards out to
// nested shard workers and merge the partials. The page cancels by terminating this worker.
import { explain } from '../../../../src/core/explain.js';
import { decodeImage, imageToTensor } from '../../../../src/core/image/index.js';
import type { LoadedModel } from '../../../../src/core/models/loaded-model.js';
import type { ShardExecutor } from '../../../../src/core/perturbation/executors/types.js';
import type { Tensor } from '../../../../src/core/tensor.js';
import { loadModel, modelKey } from './load.js';
import type { ModelRef, RunRequest, ShardInit, ShardReply, WorkerMessage } from './protocol.js';

const post = (m: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

// One model stays loaded between runs (the page reuses this worker until it is cancelled).
let cached: { key: string; model: Promise<LoadedModel> } | undefined;

function getModel(req: RunRequest): Promise<LoadedModel> {
  const key = modelKey(req.model, req.backend);
  if (cached?.key !== key) {
    cached?.model.then((m) => m.dispose()).catch(() => undefined);
    cached = { key, model: loadModel(req.model, req.backend, req.wasmPaths, req.modelsBase) };
    cached.model.catch(() => (cached = undefined));
  }
  return cached.model;
}

/** One nested worker as a ShardExecutor: it loads the model once, then runs the shards it is sent. */
function shardWorker(i: number, ref: ModelRef, input: Tensor, req: RunRequest): ShardExecutor {
  const w = new Worker(new URL('./shard-worker.ts', import.meta.url), { type: 'module', name: `shard-${i}` });
  const init: ShardInit = { type: 'init', model: ref, input: { shape: [...input.shape], data: input.data.slice() }, backend: req.backend, wasmPaths: req.wasmPaths, modelsBase: req.modelsBase };
  w.postMessage(init);
  let next = 0;
  const pending = new Map<number, { resolve: (p: unknown) => void; reject: (e: Error) => void; progress?: (d: number, t: number) => void }>();
  w.onmessage = (ev: MessageEvent<ShardReply>) => {
    const m = ev.data;
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') p.progress?.(m.done, m.total);
    else {
      pending.delete(m.id);
      if (m.type === 'partial') p.resolve(m.partial);
      else p.reject(new Error(m.message));
    }
  };
  w.onerror = (ev) => {
    for (const p of pending.values()) p.reject(new Error(`shard worker ${i}: ${ev.message}`));
    pending.clear();
  };
  return {
    name: `web-worker#${i}`,
    concurrency: 1,
    run(shard, opts) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (p: unknown) => void, reject, progress: opts?.onProgress });
        w.postMessage({ type: 'shard', id, shard });
      });
    },
    async close() {
      w.terminate();
    },
  };
}

async function run(req: RunRequest): Promise<void> {
  const t0 = performance.now();
  post({ type: 'status', text: 'loading the model' });
  const model = await getModel(req);
  await model.session(); // create the session now, so load time and backend choice are reported
  const loadMs = performance.now() - t0;
  const input = imageToTensor(decodeImage(req.image), model.manifest.preprocessing);
  const executors = req.shards > 1 ? Array.from({ length: req.shards }, (_, i) => shardWorker(i, req.model, input, req)) : undefined;
  post({ type: 'status', text: executors ? `explaining in ${req.shards} web workers` : 'explaining' });
  try {
    const r = await explain(model, input, {
      method: req.method,
      target: req.target,
      layer: req.layer,
      params: req.params,
      seed: req.seed,
      batchSize: req.batchSize,
      ...(executors ? { shards: req.shards, executors } : {}),
      onProgress: (done, total) => post({ type: 'progress', done, total }),
    });
    const e = r.explanation;
    const map = new Float32Array(e.map);
    post(
      {
        type: 'result',
        result: {
          method: r.method,
          model: r.model,
          target: r.target,
          targetLabel: r.targetLabel,
          prediction: r.prediction.top,
          params: r.params,
          seed: r.seed,
          shards: r.shards,
          signed: e.signed,
          map: { width: e.width, height: e.height, data: map },
          passes: e.passes,
          ...(e.extras ? { extras: e.extras } : {}),
          backend: r.backend,
          timings: { loadMs, predictMs: r.timings.predictMs, explainMs: r.timings.explainMs },
        },
      },
      [map.buffer],
    );
  } finally {
    await Promise.all((executors ?? []).map((x) => x.close?.()));
  }
}

self.onmessage = (ev: MessageEvent<RunRequest>) => {
  if (ev.data?.type !== 'run') return;
  run(ev.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};
