// Runs one explanation through the API or on this device, with the automatic fallback: when the API cannot
// be reached, answers something that is not the API (a static host), or fails on its side, the same request
// runs on the device without any user action. Used by the try-it and bring-your-own-model pages.
import { bytesToBase64 } from '../../../src/core/base64.js';
import { ApiError, XaiClient, type ExplainRequestBody, type ExplainResponse } from '../../../src/client/index.js';
import type { BackendInfo } from '../../../src/core/runtime/types.js';
import type { DeviceResult, RunRequest, WorkerMessage } from './device/protocol.js';

export type Where = 'auto' | 'api' | 'device';

/** What a page asks for: a device run request without the worker plumbing (filled in by runDevice). */
export type ClientRequest = Omit<RunRequest, 'type' | 'wasmPaths' | 'modelsBase'>;

export interface ClientResult {
  source: 'api' | 'device';
  /** Why the API was not used, when the device ran after trying it. */
  apiFailure?: string;
  method: string;
  model: string;
  target: number;
  targetLabel: string;
  prediction: { index: number; label: string; probability: number; score?: number }[];
  params: Record<string, unknown>;
  signed: boolean;
  map: { width: number; height: number; data: Float32Array };
  passes: number;
  backend: BackendInfo;
  timings: Record<string, number>;
}

export interface RunHooks {
  onStatus(text: string): void;
  onProgress(done: number, total: number): void;
  signal: AbortSignal;
}

/** An API answer that means "use the device instead" (as opposed to "your input is wrong"). */
export class ApiUnavailable extends Error {}

/** The typed client of src/client, on this site's own origin. */
const api = new XaiClient('');

export async function runApi(req: ClientRequest, hooks: RunHooks): Promise<ClientResult> {
  if (!('id' in req.model)) throw new ApiUnavailable('your own model runs on the device only');
  const t0 = performance.now();
  let body: ExplainResponse;
  try {
    body = await api.explain(
      {
        model: req.model.id,
        method: req.method,
        image: bytesToBase64(req.image),
        ...(req.target !== undefined ? { target: req.target } : {}),
        ...(req.layer ? { layer: req.layer } : {}),
        ...(Object.keys(req.params).length ? { params: req.params as ExplainRequestBody['params'] } : {}),
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
        ...(req.batchSize !== undefined ? { batchSize: req.batchSize } : {}),
        format: 'json',
      },
      { signal: hooks.signal },
    );
  } catch (err) {
    if (hooks.signal.aborted) throw err;
    if (!(err instanceof ApiError)) throw new ApiUnavailable(`the API is unreachable or answered something else (${(err as Error).message})`);
    // A JSON 4xx from the API is about the request itself: the device would refuse it the same way.
    const fromApi = err.code !== 'http_error';
    if (fromApi && err.status >= 400 && err.status < 500 && err.status !== 404 && err.status !== 429) throw new Error(err.message);
    if (fromApi && err.status === 404 && /model|method/i.test(err.code)) throw new Error(err.message);
    throw new ApiUnavailable(`the API answered HTTP ${err.status}${fromApi ? `: ${err.message}` : ''}`);
  }
  if (!body?.map?.data) throw new ApiUnavailable('the API answered something that is not an explanation');
  return {
    source: 'api',
    method: body.method,
    model: body.model,
    target: body.target,
    targetLabel: body.targetLabel,
    prediction: body.prediction,
    params: body.params,
    signed: body.signed,
    map: { width: body.map.width, height: body.map.height, data: Float32Array.from(body.map.data as number[]) },
    passes: body.passes,
    backend: body.backend,
    timings: { 'server predict': body.timings.predictMs, 'server explain': body.timings.explainMs, 'round trip': performance.now() - t0 },
  };
}

let worker: Worker | undefined;

/** Stops whatever runs on the device (terminating the worker also ends its shard workers). */
export function cancelDevice(): void {
  worker?.terminate();
  worker = undefined;
}

export function runDevice(req: ClientRequest, hooks: RunHooks): Promise<ClientResult> {
  worker ??= new Worker(new URL('./device/explain-worker.ts', import.meta.url), { type: 'module', name: 'xai-device' });
  const w = worker;
  const t0 = performance.now();
  const msg: RunRequest = {
    type: 'run',
    ...req,
    image: req.image.slice(),
    wasmPaths: new URL('/ort/', location.href).href,
    modelsBase: new URL('/models/', location.href).href,
  };
  return new Promise<ClientResult>((resolve, reject) => {
    const stop = () => {
      cancelDevice();
      reject(new DOMException('cancelled', 'AbortError'));
    };
    hooks.signal.addEventListener('abort', stop, { once: true });
    const done = () => hooks.signal.removeEventListener('abort', stop);
    w.onmessage = (ev: MessageEvent<WorkerMessage>) => {
      const m = ev.data;
      if (m.type === 'status') hooks.onStatus(m.text);
      else if (m.type === 'progress') hooks.onProgress(m.done, m.total);
      else if (m.type === 'error') {
        done();
        reject(new Error(m.message));
      } else if (m.type === 'result') {
        done();
        const r: DeviceResult = m.result;
        resolve({
          source: 'device',
          method: r.method,
          model: r.model,
          target: r.target,
          targetLabel: r.targetLabel,
          prediction: r.prediction,
          params: r.params,
          signed: r.signed,
          map: r.map,
          passes: r.passes,
          backend: r.backend,
          timings: { 'model load': r.timings.loadMs, predict: r.timings.predictMs, explain: r.timings.explainMs, total: performance.now() - t0, ...(r.shards > 1 ? { shards: r.shards } : {}) },
        });
      }
    };
    w.onerror = (ev) => {
      done();
      cancelDevice();
      reject(new Error(`device worker failed: ${ev.message || 'could not start'}`));
    };
    w.postMessage(msg, [msg.image.buffer]);
  });
}

/** API first (unless told otherwise), then the device when the API is unavailable. */
export async function runExplanation(req: ClientRequest, where: Where, hooks: RunHooks): Promise<ClientResult> {
  if (where === 'device') return runDevice(req, hooks);
  hooks.onStatus('asking the API');
  try {
    return await runApi(req, hooks);
  } catch (err) {
    if (!(err instanceof ApiUnavailable) || where === 'api') throw err;
    hooks.onStatus(`${err.message}; running on this device instead`);
    const r = await runDevice(req, hooks);
    return { ...r, apiFailure: err.message };
  }
}
