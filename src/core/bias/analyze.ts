/**
 * The dataset-bias analysis of a model on a generated portrait set (issue 7): label correlations in the data
 * and in the model's predictions, per-attribute accuracy, and where the model looks for each attribute.
 * This is what `xai bias` runs on a generated set; user data with a CelebA attribute file uses the same
 * pieces (correlation.ts, evidence.ts) with its own images and regions.
 */
import { InvalidInputError } from '../errors.js';
import { imageToTensor } from '../image/preprocess.js';
import type { LoadedModel } from '../models/loaded-model.js';
import type { Preprocessing } from '../models/manifest.js';
import { forward } from '../predict.js';
import { concatBatch, type Tensor } from '../tensor.js';
import { attributeAccuracy, correlationReport, type AttributeTable, type CorrelationReport, type PhiMatrix } from './correlation.js';
import { accumulateEvidence, evidenceReport, mergeEvidence, type AttributionFn, type EvidencePartial, type EvidenceReport, type EvidenceSource } from './evidence.js';
import { BIAS_ATTRIBUTES, biasModel, generatePortrait, portraitLabels, PORTRAIT_SIZE, portraitToRaster, type BiasSplit, type Portrait } from './generator.js';
import type { CooccurrenceConfig } from './cooccurrence.js';

export interface GeneratedSet {
  readonly seed: number;
  readonly split: BiasSplit;
  readonly count: number;
  /** First image index (default 0). */
  readonly start?: number;
  readonly config?: CooccurrenceConfig;
}

/** A portrait as the model's input [1, C, H, W]. */
export function portraitInput(p: Pick<Portrait, 'rgb'>, pre: Preprocessing): Tensor {
  return imageToTensor(portraitToRaster(p), pre);
}

function portraitOf(set: GeneratedSet, i: number): Portrait {
  return generatePortrait(set.seed, set.split, (set.start ?? 0) + i, set.config);
}

/** The generated labels of a set, as an attribute table (BIAS_ATTRIBUTES order); no rendering, so cheap. */
export function generatedLabels(set: GeneratedSet): AttributeTable {
  const k = BIAS_ATTRIBUTES.length;
  const values = new Uint8Array(set.count * k);
  const cm = biasModel(set.config);
  // the same labels generatePortrait draws (it calls portraitLabels with the same model)
  for (let i = 0; i < set.count; i++) values.set(portraitLabels(set.seed, set.split, (set.start ?? 0) + i, cm), i * k);
  return { names: [...BIAS_ATTRIBUTES], n: set.count, values };
}

/** Index of every generator attribute in the model's outputs; the model must predict all of them. */
export function attributeOutputs(model: LoadedModel): number[] {
  const labels = model.manifest.labels;
  const missing = BIAS_ATTRIBUTES.filter((a) => !labels.includes(a));
  if (model.manifest.task !== 'multilabel' || missing.length) {
    throw new InvalidInputError(
      `model "${model.id}" cannot be analysed on the generated portraits: it must be multilabel and predict ${BIAS_ATTRIBUTES.join(', ')}` +
        (missing.length ? ` (missing: ${missing.join(', ')})` : ` (task is "${model.manifest.task}")`),
      { param: 'model' },
    );
  }
  const [, , h, w] = model.manifest.input.shape;
  if (h !== PORTRAIT_SIZE || w !== PORTRAIT_SIZE) {
    throw new InvalidInputError(`model "${model.id}" takes ${h}x${w} inputs; the generated portraits are ${PORTRAIT_SIZE}x${PORTRAIT_SIZE}`, { param: 'model' });
  }
  return BIAS_ATTRIBUTES.map((a) => labels.indexOf(a));
}

export type BiasPhase = 'predict' | 'evidence';

export interface PredictOptions {
  readonly batchSize?: number;
  readonly onProgress?: (phase: BiasPhase, done: number, total: number) => void;
}

/**
 * Run the model over a generated set: logits [n, k] in the model's output order, and thresholded predictions
 * (logit > 0) in BIAS_ATTRIBUTES order.
 */
export async function predictGeneratedSet(model: LoadedModel, set: GeneratedSet, opts: PredictOptions = {}): Promise<{ logits: Tensor; predictions: AttributeTable }> {
  const outputs = attributeOutputs(model);
  const batchSize = opts.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 4096) {
    throw new InvalidInputError(`batchSize must be an integer from 1 to 4096, got ${batchSize}`, { param: 'batchSize' });
  }
  const k = model.manifest.labels.length;
  const logits = new Float32Array(set.count * k);
  for (let s = 0; s < set.count; s += batchSize) {
    const n = Math.min(batchSize, set.count - s);
    const batch = concatBatch(Array.from({ length: n }, (_, j) => portraitInput(portraitOf(set, s + j), model.manifest.preprocessing)));
    logits.set((await forward(model, batch)).data, s * k);
    opts.onProgress?.('predict', s + n, set.count);
  }
  const m = BIAS_ATTRIBUTES.length;
  const values = new Uint8Array(set.count * m);
  for (let i = 0; i < set.count; i++) for (let a = 0; a < m; a++) values[i * m + a] = logits[i * k + outputs[a]] > 0 ? 1 : 0;
  return { logits: { data: logits, shape: [set.count, k] }, predictions: { names: [...BIAS_ATTRIBUTES], n: set.count, values } };
}

/**
 * The evidence source of a generated set: each image's input, the model's predictions (BIAS_ATTRIBUTES order)
 * and the generator's region masks (regions = BIAS_ATTRIBUTES).
 */
export function generatedEvidenceSource(model: LoadedModel, set: GeneratedSet, predictions: AttributeTable): EvidenceSource {
  const m = BIAS_ATTRIBUTES.length;
  return {
    count: set.count,
    item(i) {
      const p = portraitOf(set, i);
      return { input: portraitInput(p, model.manifest.preprocessing), predicted: predictions.values.subarray(i * m, (i + 1) * m), masks: p.masks };
    },
  };
}

export interface BiasReport {
  readonly set: { seed: number; split: BiasSplit; start: number; count: number };
  readonly accuracy: Record<string, number>;
  readonly correlation: CorrelationReport;
  readonly evidence?: EvidenceReport;
}

/** One image range [start, end) of the evidence pass. */
export interface EvidenceShard {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Split images [0, count) into `shards` contiguous ranges of near-equal size (the first `count % shards` one
 * image longer); never more shards than images, and at least one range (possibly empty when count is 0).
 * @example shardRanges(10, 3) // [0,4), [4,7), [7,10)
 */
export function shardRanges(count: number, shards: number): EvidenceShard[] {
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
    throw new InvalidInputError(`shards must be an integer from 1 to 1024, got ${shards}`, { param: 'shards' });
  }
  if (!Number.isInteger(count) || count < 0) throw new InvalidInputError(`count must be a non-negative integer, got ${count}`, { param: 'count' });
  const k = Math.max(1, Math.min(shards, count));
  const base = Math.floor(count / k);
  const extra = count % k;
  const out: EvidenceShard[] = [];
  let start = 0;
  for (let i = 0; i < k; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    out.push({ index: i, start, end });
    start = end;
  }
  return out;
}

/** Runs the evidence pass of one shard; the default runs it in this thread (accumulateEvidence). */
export type EvidenceShardRunner = (shard: EvidenceShard, onProgress: (done: number, total: number) => void) => Promise<EvidencePartial>;

export interface AnalyzeOptions extends PredictOptions {
  /**
   * Attribution map of one model output (`target` is the index in the model's labels) for one input, e.g.
   * Grad-CAM. Without it, only correlations and accuracy are reported.
   */
  readonly attribution?: AttributionFn;
  /** Images of the set the attribution part looks at (the first `evidenceCount`; default all). */
  readonly evidenceCount?: number;
  readonly minShare?: number;
  /**
   * Split the evidence pass into this many image ranges (shardRanges), run concurrently and merged
   * (mergeEvidence); any split gives the same report up to float64 summation order. Default 1.
   */
  readonly shards?: number;
  /** Run a shard elsewhere (e.g. a worker thread); must return that range's partial. Default: in process. */
  readonly runShard?: EvidenceShardRunner;
  /** Progress of each shard of the evidence pass (onProgress gets the sum over shards). */
  readonly onShardProgress?: (shard: EvidenceShard, done: number, total: number) => void;
  /**
   * The label correlations that explain a flag (default: the analysed set's own labels). On an unbiased split
   * pass the training data's phi (e.g. phiMatrix(generatedLabels({ split: 'train', ... }))): that is where the
   * model learned the shortcut.
   */
  readonly explainPhi?: PhiMatrix;
}

/**
 * The whole bias view of a model on a generated set.
 * @example const r = await analyzeGeneratedSet(model, { seed: 1, split: 'test', count: 500 }, { attribution: gradCam, shards: 4 })
 */
export async function analyzeGeneratedSet(model: LoadedModel, set: GeneratedSet, opts: AnalyzeOptions = {}): Promise<BiasReport> {
  const labels = generatedLabels(set);
  const { predictions } = await predictGeneratedSet(model, set, opts);
  const correlation = correlationReport(labels, predictions);
  const report = { set: { seed: set.seed, split: set.split, start: set.start ?? 0, count: set.count }, accuracy: attributeAccuracy(labels, predictions), correlation };
  if (!opts.attribution) return report;
  const outputs = attributeOutputs(model);
  const attribution = opts.attribution;
  const source = generatedEvidenceSource(model, set, predictions);
  const total = Math.min(opts.evidenceCount ?? set.count, set.count);
  const ranges = shardRanges(total, opts.shards ?? 1);
  const done = new Array<number>(ranges.length).fill(0);
  const progress = (shard: EvidenceShard) => (d: number, t: number) => {
    done[shard.index] = d;
    opts.onShardProgress?.(shard, d, t);
    opts.onProgress?.('evidence', done.reduce((a, b) => a + b, 0), total);
  };
  const runShard: EvidenceShardRunner =
    opts.runShard ??
    ((shard, onProgress) =>
      accumulateEvidence(source, {
        attributes: BIAS_ATTRIBUTES,
        regions: BIAS_ATTRIBUTES,
        width: PORTRAIT_SIZE,
        height: PORTRAIT_SIZE,
        start: shard.start,
        end: shard.end,
        attribution: (input, a) => attribution(input, outputs[a]),
        onProgress,
      }));
  const partials = await Promise.all(ranges.map((r) => runShard(r, progress(r))));
  // merged in shard order, so a given split is deterministic
  const partial = partials.length === 1 ? partials[0] : mergeEvidence(partials);
  const evidence = evidenceReport(partial, { dataPhi: opts.explainPhi ?? correlation.data, modelPhi: correlation.model, minShare: opts.minShare });
  return { ...report, evidence };
}
