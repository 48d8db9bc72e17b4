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
import { attributeAccuracy, correlationReport, type AttributeTable, type CorrelationReport } from './correlation.js';
import { accumulateEvidence, evidenceReport, type AttributionFn, type EvidenceReport, type EvidenceSource } from './evidence.js';
import { BIAS_ATTRIBUTES, generatePortrait, PORTRAIT_SIZE, portraitToRaster, type BiasSplit, type Portrait } from './generator.js';
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

/** The generated labels of a set, as an attribute table (BIAS_ATTRIBUTES order). */
export function generatedLabels(set: GeneratedSet): AttributeTable {
  const k = BIAS_ATTRIBUTES.length;
  const values = new Uint8Array(set.count * k);
  for (let i = 0; i < set.count; i++) values.set(portraitOf(set, i).labels, i * k);
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

export interface AnalyzeOptions extends PredictOptions {
  /**
   * Attribution map of one model output (`target` is the index in the model's labels) for one input, e.g.
   * Grad-CAM. Without it, only correlations and accuracy are reported.
   */
  readonly attribution?: AttributionFn;
  /** Images of the set the attribution part looks at (the first `evidenceCount`; default all). */
  readonly evidenceCount?: number;
  readonly minShare?: number;
}

/**
 * The whole bias view of a model on a generated set.
 * @example const r = await analyzeGeneratedSet(model, { seed: 1, split: 'test', count: 500 }, { attribution: gradCam })
 */
export async function analyzeGeneratedSet(model: LoadedModel, set: GeneratedSet, opts: AnalyzeOptions = {}): Promise<BiasReport> {
  const labels = generatedLabels(set);
  const { predictions } = await predictGeneratedSet(model, set, opts);
  const correlation = correlationReport(labels, predictions);
  const report = { set: { seed: set.seed, split: set.split, start: set.start ?? 0, count: set.count }, accuracy: attributeAccuracy(labels, predictions), correlation };
  if (!opts.attribution) return report;
  const outputs = attributeOutputs(model);
  const attribution = opts.attribution;
  const partial = await accumulateEvidence(generatedEvidenceSource(model, set, predictions), {
    attributes: BIAS_ATTRIBUTES,
    regions: BIAS_ATTRIBUTES,
    width: PORTRAIT_SIZE,
    height: PORTRAIT_SIZE,
    end: Math.min(opts.evidenceCount ?? set.count, set.count),
    attribution: (input, a) => attribution(input, outputs[a]),
    onProgress: (d, t) => opts.onProgress?.('evidence', d, t),
  });
  return { ...report, evidence: evidenceReport(partial, { dataPhi: correlation.data, modelPhi: correlation.model, minShare: opts.minShare }) };
}
