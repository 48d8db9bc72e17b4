/**
 * A pool of Node worker threads that run shards (Node only; nothing isomorphic imports this file). Each
 * worker holds its own onnxruntime session of the model (default: 1 intra-op thread, so N workers use N
 * cores) and the input tensor, both sent once at start. Each worker is its own ShardExecutor ("worker#i"), so
 * the scheduler retries a failed shard on another worker; a worker that dies is restarted on its next shard.
 */
import { Worker } from 'node:worker_threads';
import { InvalidInputError, RuntimeFailure, XaiError, type ErrorKind } from '../../errors.js';
import type { LoadedModel } from '../../models/loaded-model.js';
import type { NodeBackendChoice } from '../../runtime/node.js';
import type { Tensor } from '../../tensor.js';
import type { ShardPartial, ShardSpec } from '../types.js';
import type { ShardExecutor, ShardRunOptions } from './types.js';

export interface WorkerPoolOptions {
  model: Pick<LoadedModel, 'manifest' | 'bytes'>;
  input: Tensor;
  /** Number of worker threads (default 2). */
  workers?: number;
  /** onnxruntime intra-op threads per worker (default 1). */
  threads?: number;
  backend?: NodeBackendChoice;
  /** The compiled worker entry; default: worker-entry.node.js next to this module (the built package). */
  workerUrl?: URL | string;
}

export interface WorkerPool {
  /** One executor per worker thread. */
  readonly executors: (ShardExecutor & { stop(code?: number): Promise<void> })[];
  close(): Promise<void>;
}

interface Pending {
  resolve: (p: ShardPartial) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
}

function rebuildError(e: { message: string; kind: string; code: string }, who: string): Error {
  if (e.kind === 'invalid') return new InvalidInputError(`${who}: ${e.message}`, { code: e.code });
  if (e.kind === 'runtime') return new RuntimeFailure(`${who}: ${e.message}`, { code: e.code });
  return new XaiError(e.kind as ErrorKind, e.code, `${who}: ${e.message}`);
}

class ThreadExecutor implements ShardExecutor {
  readonly concurrency = 1;
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    readonly name: string,
    private readonly o: WorkerPoolOptions,
    private readonly url: URL | string,
  ) {}

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const w = new Worker(this.url);
    this.worker = w;
    this.ready = new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        // The thread is gone: fail whatever it was running and start afresh next time.
        if (this.worker === w) {
          this.worker = undefined;
          this.ready = undefined;
        }
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        reject(err);
      };
      w.on('message', (m: { type: string; id?: number; partial?: ShardPartial; error?: { message: string; kind: string; code: string }; done?: number; total?: number }) => {
        if (m.type === 'ready') return resolve();
        const p = m.id === undefined ? undefined : this.pending.get(m.id);
        if (m.type === 'error' && m.id === undefined) return fail(rebuildError(m.error!, this.name));
        if (!p) return;
        if (m.type === 'progress') p.onProgress?.(m.done!, m.total!);
        else if (m.type === 'result') {
          this.pending.delete(m.id!);
          p.resolve(m.partial!);
        } else if (m.type === 'error') {
          this.pending.delete(m.id!);
          p.reject(rebuildError(m.error!, this.name));
        }
      });
      w.on('error', (err) => fail(new RuntimeFailure(`${this.name} crashed: ${err.message}`, { cause: err })));
      w.on('exit', (code) => fail(new RuntimeFailure(`${this.name} exited with code ${code}`)));
      const input = this.o.input;
      w.postMessage({
        type: 'init',
        manifest: this.o.model.manifest,
        bytes: this.o.model.bytes,
        input: { shape: [...input.shape], data: input.data },
        backend: this.o.backend ?? 'native',
        threads: this.o.threads ?? 1,
      });
    });
    // Avoid an unhandled rejection when nobody is waiting on start.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  async run(shard: ShardSpec, opts: ShardRunOptions = {}): Promise<ShardPartial> {
    await this.start();
    const w = this.worker;
    if (!w) throw new RuntimeFailure(`${this.name} is not running`);
    const id = this.nextId++;
    return new Promise<ShardPartial>((resolve, reject) => {
      const onAbort = () => w.postMessage({ type: 'cancel', id });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = <T>(f: (v: T) => void) => (v: T) => {
        opts.signal?.removeEventListener('abort', onAbort);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), onProgress: opts.onProgress });
      w.postMessage({ type: 'run', id, shard });
    });
  }

  /**
   * Stop the thread. It is asked to exit, which it does between batches; worker.terminate() while onnxruntime
   * is inside a native run aborts the whole process, so it is only the last resort after `graceMs`. A shard
   * in flight fails (and is retried elsewhere by the scheduler); tests use this to simulate a crash.
   */
  async stop(code = 0, graceMs = 30_000): Promise<void> {
    const w = this.worker;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'exit', code });
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([exited, timer])) === 'timeout') await w.terminate();
    if (this.worker === w) {
      this.worker = undefined;
      this.ready = undefined;
    }
  }
}

/**
 * Start a pool of shard workers for one model and input.
 * @example const pool = createWorkerPool({ model, input, workers: 2 }); try { await explainSharded('rise', req, { shards: 8, executors: pool.executors }); } finally { await pool.close(); }
 */
export function createWorkerPool(o: WorkerPoolOptions): WorkerPool {
  const n = o.workers ?? 2;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidInputError(`workers must be an integer from 1 to 64, got ${n}`, { param: 'workers' });
  const url = o.workerUrl ?? new URL('./worker-entry.node.js', import.meta.url);
  const executors = Array.from({ length: n }, (_, i) => new ThreadExecutor(`worker#${i + 1}`, o, url));
  return {
    executors,
    async close() {
      await Promise.all(executors.map((e) => e.stop()));
    },
  };
}
