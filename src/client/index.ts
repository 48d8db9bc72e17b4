/**
 * Typed client of the xai-edge HTTP API, for apps and the dashboard (isomorphic: fetch only). Besides plain
 * calls it can fan out itself: get signed shard specs from POST /api/plan, post them to /api/shards in
 * parallel (to one or several servers), and merge the partial results locally into the same explanation
 * the server would compute.
 * @example const api = new XaiClient('https://xai.example.dev'); const r = await api.explain({ model: 'fmnist-cnn', method: 'saliency', image: b64 });
 */
import { RuntimeFailure, XaiError, type ErrorKind } from '../core/errors.js';
import type { Explanation } from '../core/explainer.js';
import { LoadedModel } from '../core/models/loaded-model.js';
import type { ModelManifest } from '../core/models/manifest.js';
import type { ParamSpec, ParamValues } from '../core/params.js';
import { decodeTensor, type EncodedTensor } from '../core/perturbation/codec.js';
import { mergePartials } from '../core/perturbation/shards.js';
import type { ShardPartial, ShardPlan } from '../core/perturbation/types.js';
import type { ClassScore } from '../core/predict.js';
import type { BackendInfo, Runtime } from '../core/runtime/types.js';

export interface ExplainRequestBody {
  model: string;
  method: string;
  /** base64 PNG or JPEG */
  image?: string;
  /** base64 little-endian float32, with `shape` */
  tensor?: string;
  shape?: number[];
  target?: number;
  layer?: string;
  params?: Record<string, number | boolean | string>;
  seed?: number;
  batchSize?: number;
  shards?: number;
}

export interface ExplainResponse {
  method: string;
  model: string;
  target: number;
  targetLabel: string;
  prediction: ClassScore[];
  params: ParamValues;
  seed: number;
  batchSize: number;
  shards: number;
  layer?: string;
  shape: number[];
  signed: boolean;
  map: { width: number; height: number; data: number[] };
  extras?: Record<string, unknown>;
  passes: number;
  backend: BackendInfo;
  timings: { predictMs: number; explainMs: number };
  png?: string;
}

export interface PlanResponse {
  plan: ShardPlan;
  tokens: string[];
  input: EncodedTensor;
  target: number;
  params: ParamValues;
  endpoint: string;
  header: string;
}

/** An error answer of the API, with its HTTP status and the server's code and parameter. */
export class ApiError extends XaiError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    param?: string,
  ) {
    const kind: ErrorKind = status === 404 ? 'not_found' : status === 413 ? 'too_large' : status === 415 ? 'unsupported' : status < 500 ? 'invalid' : 'runtime';
    super(kind, code, message, { param });
    this.name = 'ApiError';
  }
}

// Merging runs no model: only the manifest and the input are needed.
const noInference: Runtime = {
  platform: 'browser',
  describe: () => ({ platform: 'browser', backend: 'wasm', runtime: 'none (merge only)', threads: 0 }),
  createSession: () => Promise.reject(new RuntimeFailure('merging shard partials runs no model')),
};

export class XaiClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(baseUrl: string, opts: { fetch?: typeof fetch; headers?: Record<string, string> } = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
    const f = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
    this.doFetch = opts.headers ? (url, init) => f(url, { ...init, headers: { ...opts.headers, ...(init?.headers as Record<string, string>) } }) : f;
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const res = await this.doFetch(`${this.base}${path}`, init);
    if (!res.ok) {
      let code = 'http_error';
      let message = `HTTP ${res.status}`;
      let param: string | undefined;
      try {
        const j = (await res.json()) as { error?: { code: string; message: string; param?: string } };
        if (j.error) ({ code, message, param } = j.error);
      } catch {
        /* not JSON */
      }
      throw new ApiError(res.status, code, message, param);
    }
    return (await res.json()) as T;
  }

  private post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    return this.call<T>(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  health() {
    return this.call<{ status: 'ok'; service: string; backend: BackendInfo }>('/api/health');
  }

  models() {
    return this.call<{ models: ModelManifest[] }>('/api/models');
  }

  methods() {
    return this.call<{ common: ParamSpec[]; methods: { name: string; title: string; family: string; shardable: boolean; params: ParamSpec[] }[]; limits: Record<string, number> }>('/api/methods');
  }

  predict(body: { model: string; image?: string; tensor?: string; shape?: number[]; top?: number }) {
    return this.call<{ model: string; top: ClassScore[]; backend: BackendInfo }>('/api/predict', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  explain(body: ExplainRequestBody & { format?: 'json' | 'both'; render?: 'overlay' | 'heatmap' }, opts: { signal?: AbortSignal } = {}) {
    return this.call<ExplainResponse>('/api/explain', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: opts.signal });
  }

  /** The explanation rendered as PNG bytes. */
  async explainPng(body: ExplainRequestBody & { render?: 'overlay' | 'heatmap' }): Promise<Uint8Array> {
    const res = await this.doFetch(`${this.base}/api/explain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, format: 'png' }) });
    if (!res.ok) {
      const j = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; param?: string } };
      throw new ApiError(res.status, j.error?.code ?? 'http_error', j.error?.message ?? `HTTP ${res.status}`, j.error?.param);
    }
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Signed shard specs for a shardable method (`shards` of them). */
  plan(body: ExplainRequestBody) {
    return this.post<PlanResponse>('/api/plan', body);
  }

  /** Run one signed shard on `baseUrl` (default this client's server). */
  runShard(plan: PlanResponse, index: number, baseUrl = this.base): Promise<{ partial: ShardPartial }> {
    const shard = plan.plan.shards[index];
    return this.doFetch(`${baseUrl.replace(/\/+$/, '')}${plan.endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [plan.header]: plan.tokens[index] },
      body: JSON.stringify({ shard, input: plan.input }),
    }).then(async (res) => {
      if (!res.ok) {
        const j = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
        throw new ApiError(res.status, j.error?.code ?? 'http_error', j.error?.message ?? `HTTP ${res.status}`);
      }
      return (await res.json()) as { partial: ShardPartial };
    });
  }

  /**
   * Fan out on the client: plan on the server, run every shard in parallel (round-robin over `servers`,
   * default this one), merge locally. Gives the same explanation as one in-process run.
   */
  async explainFanOut(body: ExplainRequestBody, opts: { servers?: string[]; onShard?: (done: number, total: number) => void } = {}): Promise<{ explanation: Explanation; plan: PlanResponse }> {
    const plan = await this.plan(body);
    const manifest = (await this.models()).models.find((m) => m.id === body.model);
    if (!manifest) throw new ApiError(404, 'unknown_model', `model "${body.model}" is not served by ${this.base}`, 'model');
    const servers = opts.servers?.length ? opts.servers : [this.base];
    let done = 0;
    const partials = await Promise.all(
      plan.plan.shards.map((_, i) =>
        this.runShard(plan, i, servers[i % servers.length]).then((r) => {
          opts.onShard?.(++done, plan.plan.shards.length);
          return r.partial;
        }),
      ),
    );
    const input = decodeTensor(plan.input);
    const explanation = await mergePartials(plan.plan, partials, { model: new LoadedModel(manifest, new Uint8Array(0), noInference), input });
    return { explanation, plan };
  }
}
