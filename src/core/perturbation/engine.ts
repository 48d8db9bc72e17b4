/**
 * The one perturbation engine: plan -> run shard(s) -> merge. Batching (the one `batchSize` knob), seeding,
 * score transforms, float64 accumulation, shard bookkeeping and checks live here once; a method supplies
 * only its generator and its accumulation (types.ts). The unsharded path is the sharded one with one shard
 * (explainWith leaves out only the wire encoding), so there is a single loop for every method (runRange).
 */
import type { ExplainerSpec, ExplainRequest, Explanation, MethodFamily } from '../explainer.js';
import { InvalidInputError, RuntimeFailure } from '../errors.js';
import type { LoadedModel } from '../models/loaded-model.js';
import { resolveParams } from '../params.js';
import type { Tensor } from '../tensor.js';
import type { Session } from '../runtime/types.js';
import { canonicalJson, decodeF64, digestString, digestTensor, encodeF64 } from './codec.js';
import { fdlibmExp } from './exp.js';
import { composeDelta, composeImages, composeJs, composeSession, DELTA, FILL, isZeroFill, KEEP, KEEP_LEFT, KEEP_RIGHT } from './compose.js';
import { partialSchema, shardSpecSchema, type PerturbationMethod, type PlanResult, type ShardContext, type ShardPartial, type ShardPlan, type ShardSpec, type Stats } from './types.js';

/** Upper bound on the samples of one explanation (keeps plans and loops sane). */
export const MAX_SAMPLES = 1_000_000;

/** Run the model on a batch and return its output rows, softmaxed when `probabilities` and the model gives logits. */
export async function forwardScores(model: LoadedModel, batch: Tensor, kind: 'raw' | 'probabilities'): Promise<Float32Array> {
  const session = await model.session();
  const out = await session.run({ [model.manifest.input.name]: batch }, [model.manifest.output.name]);
  const t = out[model.manifest.output.name];
  if (!t || t.shape.length !== 2 || t.shape[0] !== batch.shape[0]) {
    throw new RuntimeFailure(`model "${model.id}" output "${model.manifest.output.name}" has shape [${t?.shape.join(', ')}]; expected [${batch.shape[0]}, classes]`);
  }
  if (kind === 'probabilities' && model.manifest.output.kind === 'logits') softmaxRows(t.data, t.shape[1]);
  return t.data;
}

/** Run the composing variant of the model (compose.ts) on keep masks; same output handling as forwardScores. */
async function forwardComposed(model: LoadedModel, session: Session, feeds: Record<string, Tensor>, count: number, kind: 'raw' | 'probabilities'): Promise<Float32Array> {
  const out = await session.run(feeds, [model.manifest.output.name]);
  const t = out[model.manifest.output.name];
  if (!t || t.shape.length !== 2 || t.shape[0] !== count) {
    throw new RuntimeFailure(`model "${model.id}" output "${model.manifest.output.name}" has shape [${t?.shape.join(', ')}]; expected [${count}, classes]`);
  }
  if (kind === 'probabilities' && model.manifest.output.kind === 'logits') softmaxRows(t.data, t.shape[1]);
  return t.data;
}

/** exp(a_j - max) of one row, reused across calls (grown to the widest row seen). */
let expRow = new Float64Array(0);

/** In-place row-wise softmax (float64 arithmetic); each exponential is computed once and kept for the division. */
export function softmaxRows(a: Float32Array, k: number): void {
  if (expRow.length < k) expRow = new Float64Array(k);
  const e = expRow;
  for (let off = 0; off < a.length; off += k) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) if (a[off + j] > m) m = a[off + j];
    let s = 0;
    for (let j = 0; j < k; j++) {
      e[j] = fdlibmExp(a[off + j] - m);
      s += e[j];
    }
    for (let j = 0; j < k; j++) a[off + j] = e[j] / s;
  }
}

function splitRange(total: number, k: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const base = Math.floor(total / k);
  const extra = total % k;
  let s = 0;
  for (let i = 0; i < k; i++) {
    const n = base + (i < extra ? 1 : 0);
    out.push([s, s + n]);
    s += n;
  }
  return out;
}

/** The method's plan step (at most a few forward passes, e.g. the unperturbed score), its sample count checked. */
async function planMethod(method: PerturbationMethod, req: ExplainRequest, attribution?: Float32Array): Promise<PlanResult> {
  const kind = method.scores(req.params);
  const result = await method.plan({
    model: req.model,
    input: req.input,
    target: req.target,
    layer: req.layer,
    params: req.params,
    seed: req.seed,
    ...(attribution ? { attribution } : {}),
    forward: (batch) => forwardScores(req.model, batch, kind),
  });
  if (!Number.isInteger(result.total) || result.total < 1 || result.total > MAX_SAMPLES) {
    throw new InvalidInputError(`${method.name} would need ${result.total} samples; allowed: 1..${MAX_SAMPLES}`, { param: 'samples' });
  }
  return result;
}

/** The parameters as a plan and its shards carry them: the resolved values, without the unset ones. */
function definedParams(params: ExplainRequest['params']): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const [key, v] of Object.entries(params)) if (v !== undefined) out[key] = v;
  return out;
}

/**
 * Plan an explanation as `k` shards of near-equal sample ranges. Runs the method's plan step once, here, so
 * every shard and the merge share its result.
 */
export async function planWith(method: PerturbationMethod, req: ExplainRequest, k: number, attribution?: Float32Array): Promise<ShardPlan> {
  if (!Number.isInteger(k) || k < 1) throw new InvalidInputError(`shards must be a positive integer, got ${k}`, { param: 'shards' });
  const { total, shared, passes } = await planMethod(method, req, attribution);
  if (k > total) throw new InvalidInputError(`shards ${k} is more than the ${total} samples of this ${method.name} explanation; allowed: 1..${total}`, { param: 'shards' });
  const identity = {
    method: method.name,
    model: req.model.id,
    input: { digest: await digestTensor(req.input), shape: [...req.input.shape] },
    target: req.target,
    ...(req.layer ? { layer: req.layer } : {}),
    params: definedParams(req.params),
    seed: req.seed,
    total,
    shared,
  };
  const planId = await digestString(canonicalJson(identity));
  const shards: ShardSpec[] = splitRange(total, k).map(([start, end], index) => ({
    format: 'xai-shard/1',
    planId,
    ...identity,
    batchSize: req.batchSize,
    index,
    count: k,
    start,
    end,
  }));
  return { planId, method: method.name, total, passes, shards };
}

/** Validate a shard spec that came from outside (HTTP, worker message); errors name the bad field. */
export function parseShardSpec(raw: unknown): ShardSpec {
  const r = shardSpecSchema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new InvalidInputError(`shard spec: field "${first.path.join('.') || '(root)'}" ${first.message}`, { param: 'shard', code: 'bad_shard' });
  }
  return r.data;
}

export function parsePartial(raw: unknown): ShardPartial {
  const r = partialSchema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new InvalidInputError(`shard partial: field "${first.path.join('.') || '(root)'}" ${first.message}`, { param: 'partial', code: 'bad_partial' });
  }
  return r.data;
}

export interface ShardRunContext {
  readonly model: LoadedModel;
  readonly input: Tensor;
  /** Samples done within this shard, of its (end - start). */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

async function checkShardInput(shard: ShardSpec, ctx: ShardRunContext): Promise<void> {
  if (ctx.model.id !== shard.model) {
    throw new InvalidInputError(`shard is for model "${shard.model}" but was given model "${ctx.model.id}"`, { param: 'model', code: 'shard_mismatch' });
  }
  if (ctx.input.shape.join(',') !== shard.input.shape.join(',')) {
    throw new InvalidInputError(`shard input shape [${shard.input.shape.join(', ')}] differs from the given input [${ctx.input.shape.join(', ')}]`, { param: 'input', code: 'shard_mismatch' });
  }
  const digest = await digestTensor(ctx.input);
  if (digest !== shard.input.digest) {
    throw new InvalidInputError(`shard input digest ${shard.input.digest.slice(0, 12)}... differs from the given input's ${digest.slice(0, 12)}...`, { param: 'input', code: 'shard_mismatch' });
  }
}

function zeroStats(spec: Record<string, number>): Stats {
  const out: Stats = {};
  for (const [name, n] of Object.entries(spec)) out[name] = new Float64Array(n);
  return out;
}

/**
 * Run one shard: verify model and input, prepare the method's state, run its sample range (runRange), and
 * encode the sums for the wire.
 */
export async function runShardWith(method: PerturbationMethod, rawShard: ShardSpec, ctx: ShardRunContext): Promise<ShardPartial> {
  const t0 = performance.now();
  const shard = parseShardSpec(rawShard);
  if (shard.method !== method.name) throw new InvalidInputError(`shard is for method "${shard.method}", not "${method.name}"`, { param: 'method' });
  await checkShardInput(shard, ctx);
  const params = resolveParams(method.params, shard.params, method.name);
  const state = await method.prepare(shardContext(shard, params, ctx));
  const { stats, backend } = await runRange(method, shard, params, state, ctx);
  const encoded: ShardPartial['stats'] = {};
  for (const [name, a] of Object.entries(stats)) encoded[name] = encodeF64(a);
  return {
    format: 'xai-partial/1',
    planId: shard.planId,
    method: shard.method,
    index: shard.index,
    start: shard.start,
    end: shard.end,
    passes: shard.end - shard.start,
    stats: encoded,
    elapsedMs: performance.now() - t0,
    backend,
  };
}

function shardContext(shard: Pick<ShardSpec, 'target' | 'layer' | 'seed' | 'total' | 'shared'>, params: ShardContext['params'], ctx: { model: LoadedModel; input: Tensor }): ShardContext {
  return { model: ctx.model, input: ctx.input, target: shard.target, layer: shard.layer, params, seed: shard.seed, total: shard.total, shared: shard.shared };
}

/** The samples [start, end) a loop runs, on the global grid of batchSize; `index` names the shard in errors. */
type SampleRange = Pick<ShardSpec, 'start' | 'end' | 'batchSize' | 'index'>;

/**
 * The one sample loop: for each batch of [shard.start, shard.end) generate the keep masks, compose the
 * perturbed inputs (compose.ts), run the model and accumulate into fresh float64 sums. Batches follow a global
 * grid of `batchSize` (boundaries at multiples of it), so a sample sees the same batch composition however the
 * range was split, except at shard edges.
 */
async function runRange(method: PerturbationMethod, shard: SampleRange, params: ShardContext['params'], state: unknown, ctx: ShardRunContext): Promise<{ stats: Stats; backend: string }> {
  let composeNote = 'graph';
  const stats = zeroStats(method.statistics(state));
  const kind = method.scores(params);
  const [, c, h, w] = ctx.input.shape;
  const hw = h * w;
  const kc = method.keepChannels(state);
  const fill = method.fill(state);
  if (fill.length !== c * hw || (kc !== 1 && kc !== c)) throw new RuntimeFailure(`${method.name}: fill of ${fill.length} values or ${kc} keep channels do not fit the input [${ctx.input.shape.join(', ')}]`);
  const bs = shard.batchSize;
  // Compose in the graph for large inputs of real models, in JavaScript otherwise (compose.ts), and always in
  // JavaScript for methods that compose incrementally. In the graph, keep masks come as factors when the
  // method has them, and the fill is left out when it is zero.
  const incremental = method.compose !== undefined && method.incrementalCompose === true;
  const zeroFill = isZeroFill(fill);
  const rank = method.generateFactors && kc === 1 ? (method.keepRank?.(state) ?? 0) : 0;
  const composer = incremental
    ? undefined
    : await composeSession(ctx.model, { zeroFill, factored: rank > 0 }).catch((err: Error) => {
        composeNote = `js (graph compose failed: ${err.message})`;
        return undefined;
      });
  if (!composer && composeNote === 'graph') composeNote = incremental ? 'js (incremental)' : 'js';
  else if (composer && rank > 0) composeNote = `graph (keep factors of rank ${rank})`;
  // Only the path taken gets its buffers: keep masks or their factors for the graph or composeJs, the inputs
  // for JavaScript.
  const factored = composer !== undefined && rank > 0;
  const fast = !composer && method.compose ? method.compose.bind(method) : undefined;
  const keep = fast || factored ? undefined : new Float32Array(bs * kc * hw);
  const left = factored ? new Float32Array(bs * h * rank) : undefined;
  const right = factored ? new Float32Array(bs * rank * w) : undefined;
  const inputs = composer ? undefined : new Float32Array(bs * c * hw);
  const images = fast ? composeImages(ctx.input.data, fill) : undefined;
  const delta = images?.delta ?? composeDelta(ctx.input.data, fill);
  const fillT = { data: fill, shape: [1, c, h, w] };
  const deltaT = { data: delta, shape: [1, c, h, w] };
  const n = shard.end - shard.start;
  let done = 0;
  for (let s = shard.start; s < shard.end; ) {
    if (ctx.signal?.aborted) throw new RuntimeFailure(`shard ${shard.index} was cancelled`, { code: 'cancelled' });
    const e = Math.min(shard.end, (Math.floor(s / bs) + 1) * bs);
    const count = e - s;
    const k = keep && (count === bs ? keep : keep.subarray(0, count * kc * hw));
    let scores: Float32Array;
    let memo: unknown;
    if (composer) {
      let feeds: Record<string, Tensor>;
      if (factored) {
        const l = left!.subarray(0, count * h * rank);
        const r = right!.subarray(0, count * rank * w);
        memo = method.generateFactors!(state, s, count, l, r);
        feeds = { [KEEP_LEFT]: { data: l, shape: [count, h, rank] }, [KEEP_RIGHT]: { data: r, shape: [count, rank, w] } };
      } else {
        memo = method.generate(state, s, count, k!);
        feeds = { [KEEP]: { data: k!, shape: [count, kc, h, w] } };
      }
      feeds[DELTA] = deltaT;
      if (!zeroFill) feeds[FILL] = fillT;
      scores = await forwardComposed(ctx.model, composer, feeds, count, kind);
    } else {
      const data = count === bs ? inputs! : inputs!.subarray(0, count * c * hw);
      if (fast) {
        memo = fast(state, s, count, images!, data);
      } else {
        memo = method.generate(state, s, count, k!);
        composeJs(k!, kc, delta, fill, c, hw, count, data);
      }
      scores = await forwardScores(ctx.model, { data, shape: [count, c, h, w] }, kind);
    }
    method.accumulate(state, memo, s, count, scores, scores.length / count, stats);
    done += count;
    ctx.onProgress?.(done, n);
    s = e;
  }
  const session = await ctx.model.session();
  return { stats, backend: `${session.backend.runtime} ${session.backend.backend}; compose ${composeNote}` };
}

/**
 * The merged sums: every partial's sums added, in order of sample range, onto zeros, so a single shard and any
 * split go through the same additions.
 */
function sumStats(method: PerturbationMethod, state: unknown, parts: readonly ((name: string, length: number) => Float64Array)[]): Stats {
  const stats = zeroStats(method.statistics(state));
  for (const p of parts) {
    for (const [name, acc] of Object.entries(stats)) {
      const v = p(name, acc.length);
      for (let i = 0; i < acc.length; i++) acc[i] += v[i];
    }
  }
  return stats;
}

/**
 * Merge the partials of a plan into the explanation. Partials may come in any order; they are summed in
 * order of their sample range, so every split gives the same float64 sums up to rounding (~1e-15 relative).
 * A missing, duplicated or foreign partial is an error, never a silently partial map.
 */
export async function mergeWith(method: PerturbationMethod, plan: ShardPlan, partials: readonly unknown[], ctx: { model: LoadedModel; input: Tensor }): Promise<Explanation> {
  const parsed = partials.map(parsePartial);
  for (const p of parsed) {
    if (p.planId !== plan.planId) throw new InvalidInputError(`partial of shard ${p.index} belongs to plan ${p.planId.slice(0, 12)}..., not ${plan.planId.slice(0, 12)}...`, { param: 'partials', code: 'shard_mismatch' });
  }
  parsed.sort((a, b) => a.start - b.start);
  const missing: string[] = [];
  let at = 0;
  for (const p of parsed) {
    if (p.start < at) throw new InvalidInputError(`shard ${p.index} (samples ${p.start}..${p.end}) overlaps another partial`, { param: 'partials', code: 'shard_overlap' });
    if (p.start > at) missing.push(`${at}..${p.start}`);
    at = p.end;
  }
  if (at < plan.total) missing.push(`${at}..${plan.total}`);
  if (missing.length) {
    const byShard = plan.shards.filter((s) => !parsed.some((p) => p.start === s.start && p.end === s.end)).map((s) => s.index);
    throw new RuntimeFailure(`cannot merge ${method.name}: samples ${missing.join(', ')} of ${plan.total} are missing (shard${byShard.length === 1 ? '' : 's'} ${byShard.join(', ')} of ${plan.shards.length})`, { code: 'shard_missing' });
  }
  const first = plan.shards[0];
  await checkShardInput(first, ctx);
  const params = resolveParams(method.params, first.params, method.name);
  const state = await method.prepare(shardContext(first, params, ctx));
  const stats = sumStats(
    method,
    state,
    parsed.map((p) => (name: string, length: number) => {
      const enc = p.stats[name];
      if (!enc || enc.length !== length) throw new InvalidInputError(`partial of shard ${p.index} lacks statistic "${name}" of length ${length}`, { param: 'partials', code: 'bad_partial' });
      return decodeF64(enc, `partials[${p.index}].stats.${name}`);
    }),
  );
  const out = await method.finalize(state, stats);
  return { ...out, passes: plan.passes + plan.total };
}

/**
 * Explain in this process with one shard: the same plan step, sample loop and summation as a sharded run,
 * without what only the wire needs (the plan id and the input digest it checks, encoding and decoding the
 * sums, preparing the method's state again for the merge).
 * @example const e = await explainWith(riseMethod, req);
 */
export async function explainWith(method: PerturbationMethod, req: ExplainRequest): Promise<Explanation> {
  const { total, shared, passes } = await planMethod(method, req);
  const params = resolveParams(method.params, definedParams(req.params), method.name);
  const ctx = { model: req.model, input: req.input, onProgress: req.onProgress };
  const state = await method.prepare(shardContext({ target: req.target, layer: req.layer, seed: req.seed, total, shared }, params, req));
  const { stats } = await runRange(method, { start: 0, end: total, batchSize: req.batchSize, index: 0 }, params, state, ctx);
  const out = await method.finalize(state, sumStats(method, state, [(name) => stats[name]]));
  return { ...out, passes: passes + total };
}

/**
 * The method-table entry of a perturbation method: the engine runs it (shardable, no gradients, its own
 * parameters); the method module gives only its title, paper, description and, if not 'perturbation', family.
 * @example export const rise = perturbationSpec(riseMethod, { title: 'RISE', paper, description });
 */
export function perturbationSpec(method: PerturbationMethod, meta: Pick<ExplainerSpec, 'title' | 'paper' | 'description'> & { family?: MethodFamily }): ExplainerSpec {
  return {
    name: method.name,
    title: meta.title,
    family: meta.family ?? 'perturbation',
    needsGradients: false,
    shardable: true,
    paper: meta.paper,
    description: meta.description,
    params: method.params,
    explain: (req) => explainWith(method, req),
  };
}
