/**
 * The body of a shard worker thread (Node only). Protocol, one message at a time from the pool:
 *   {type:'init', manifest, bytes, input:{shape, data}, backend, threads} -> {type:'ready'} | {type:'error'}
 *   {type:'run', id, shard}   -> {type:'progress', id, done, total}* then {type:'result', id, partial} | {type:'error', id, error}
 *   {type:'cancel', id}
 *   {type:'exit', code}       -> the thread exits (between batches: never while onnxruntime is inside a run)
 * Started by worker-pool.node.ts; built to worker-entry.node.js next to it.
 */
import { parentPort } from 'node:worker_threads';
import { XaiError } from '../../errors.js';
import { LoadedModel } from '../../models/loaded-model.js';
import { parseManifest } from '../../models/manifest.js';
import { createNodeRuntime, type NodeBackendChoice } from '../../runtime/node.js';
import type { Tensor } from '../../tensor.js';
import { runShard } from '../shards.js';

let model: LoadedModel | undefined;
let input: Tensor | undefined;
const running = new Map<number, AbortController>();

function errorOf(err: unknown): { message: string; kind: string; code: string } {
  if (err instanceof XaiError) return { message: err.message, kind: err.kind, code: err.code };
  return { message: (err as Error)?.message ?? String(err), kind: 'runtime', code: 'runtime_error' };
}

const port = parentPort;
if (!port) throw new Error('worker-entry.node must run in a worker thread');

port.on('message', async (msg: { type: string; id?: number; [k: string]: unknown }) => {
  if (msg.type === 'init') {
    try {
      const rt = createNodeRuntime({ backend: (msg.backend as NodeBackendChoice) ?? 'native', threads: Number(msg.threads ?? 1) });
      model = new LoadedModel(parseManifest(msg.manifest), msg.bytes as Uint8Array, rt);
      const i = msg.input as { shape: number[]; data: Float32Array };
      input = { data: i.data, shape: i.shape };
      await model.session();
      port.postMessage({ type: 'ready' });
    } catch (err) {
      port.postMessage({ type: 'error', error: errorOf(err) });
    }
    return;
  }
  if (msg.type === 'exit') {
    process.exit(Number(msg.code ?? 0));
  }
  if (msg.type === 'cancel') {
    running.get(msg.id!)?.abort();
    return;
  }
  if (msg.type === 'run') {
    const id = msg.id!;
    const ac = new AbortController();
    running.set(id, ac);
    try {
      if (!model || !input) throw new Error('worker not initialised');
      const partial = await runShard(msg.shard, {
        model,
        input,
        signal: ac.signal,
        onProgress: (done, total) => port.postMessage({ type: 'progress', id, done, total }),
      });
      port.postMessage({ type: 'result', id, partial });
    } catch (err) {
      port.postMessage({ type: 'error', id, error: errorOf(err) });
    } finally {
      running.delete(id);
    }
  }
});
