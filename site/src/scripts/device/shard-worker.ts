// A nested worker that runs perturbation shards (runShard) on its own copy of the model; the explain worker
// plans, hands out shards and merges the partials (mergePartials inside explain()).
import type { LoadedModel } from '../../../../src/core/models/loaded-model.js';
import { runShard } from '../../../../src/core/perturbation/shards.js';
import type { Tensor } from '../../../../src/core/tensor.js';
import { loadModel } from './load.js';
import type { ShardInit, ShardReply, ShardRun } from './protocol.js';

let ctx: Promise<{ model: LoadedModel; input: Tensor }> | undefined;
const post = (m: ShardReply) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (ev: MessageEvent<ShardInit | ShardRun>) => {
  const m = ev.data;
  if (m.type === 'init') {
    ctx = loadModel(m.model, m.backend, m.wasmPaths, m.modelsBase).then((model) => ({ model, input: { shape: m.input.shape, data: m.input.data } }));
    ctx.catch(() => undefined);
    return;
  }
  if (m.type !== 'shard') return;
  try {
    if (!ctx) throw new Error('shard worker got a shard before its model');
    const c = await ctx;
    const partial = await runShard(m.shard, { ...c, onProgress: (done, total) => post({ type: 'progress', id: m.id, done, total }) });
    post({ type: 'partial', id: m.id, partial });
  } catch (err) {
    post({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) });
  }
};
