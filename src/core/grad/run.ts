/**
 * How an explainer obtains gradients: the gradient graph of (model, rule set, scalar, requested tensors) is
 * built once and its session cached by LoadedModel.variant(); runGradients feeds inputs and per-row target
 * masks in chunks of `batchSize` and returns logits, input gradients and inner activations/gradients, stacked
 * over the whole batch.
 */
import { InvalidInputError } from '../errors.js';
import type { LoadedModel } from '../models/loaded-model.js';
import type { Session } from '../runtime/types.js';
import { concatBatch, sizeOf, type Tensor } from '../tensor.js';
import { buildGradientGraph, GRAD_IO, gradientGraphKey, type GradientGraphOptions } from './builder.js';

export interface GradientResult {
  logits?: Tensor;
  inputGrad?: Tensor;
  tensors: Record<string, { activation: Tensor; gradient: Tensor }>;
}

/** The cached session of a gradient graph for `model`. */
export function gradientSession(model: LoadedModel, opts: GradientGraphOptions): Promise<Session> {
  const full: GradientGraphOptions = {
    ...opts,
    input: opts.input ?? model.manifest.input.name,
    output: opts.output ?? model.manifest.output.name,
    maxPoolIndices: opts.maxPoolIndices ?? model.runtime.describe().backend !== 'webgpu',
  };
  return model.variant(gradientGraphKey(full), () => buildGradientGraph(model.bytes, full).bytes);
}

/** Shape of one row of the target mask the session expects ([classes] for logit scalars). */
export function targetRowShape(session: Session): number[] {
  const t = session.inputs.find((i) => i.name === GRAD_IO.target);
  const dims = t?.dims?.slice(1);
  if (!dims || !dims.every((d): d is number => typeof d === 'number' && d > 0)) {
    throw new InvalidInputError('the gradient graph has no static target shape', { param: 'target' });
  }
  return dims;
}

/** One-hot rows for logit/probability targets: row i selects class targets[i]. */
export function oneHotTargets(targets: readonly number[], classes: number): Tensor {
  const data = new Float32Array(targets.length * classes);
  targets.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new InvalidInputError(`target ${t} is outside 0..${classes - 1}`, { param: 'target' });
    data[i * classes + t] = 1;
  });
  return { data, shape: [targets.length, classes] };
}

/**
 * Run the gradient graph on `inputs` [n, ...] with `masks` [n, ...] in chunks of `batchSize`.
 * @example const r = await runGradients(model, { rules: GUIDED }, x, oneHotTargets([t], 10), 1);
 */
export async function runGradients(
  model: LoadedModel,
  opts: GradientGraphOptions,
  inputs: Tensor,
  masks: Tensor,
  batchSize: number,
  onChunk?: (done: number, total: number) => void,
): Promise<GradientResult> {
  const session = await gradientSession(model, opts);
  const n = inputs.shape[0];
  if (masks.shape[0] !== n) throw new InvalidInputError(`got ${n} inputs but ${masks.shape[0]} target rows`, { param: 'target' });
  const inPer = sizeOf(inputs.shape.slice(1));
  const mPer = sizeOf(masks.shape.slice(1));
  const chunks: Record<string, Tensor>[] = [];
  const inputName = opts.input ?? model.manifest.input.name;
  for (let start = 0; start < n; start += batchSize) {
    const k = Math.min(batchSize, n - start);
    const feeds: Record<string, Tensor> = {
      [inputName]: { data: inputs.data.subarray(start * inPer, (start + k) * inPer), shape: [k, ...inputs.shape.slice(1)] },
      [GRAD_IO.target]: { data: masks.data.subarray(start * mPer, (start + k) * mPer), shape: [k, ...masks.shape.slice(1)] },
    };
    chunks.push(await session.run(feeds));
    onChunk?.(start + k, n);
  }
  const stack = (name: string): Tensor | undefined => (chunks[0][name] ? (chunks.length === 1 ? chunks[0][name] : concatBatch(chunks.map((c) => c[name]))) : undefined);
  const result: GradientResult = { tensors: {} };
  result.logits = stack(opts.output ?? model.manifest.output.name);
  result.inputGrad = stack(GRAD_IO.inputGrad);
  for (const t of opts.tensors ?? []) {
    result.tensors[t] = { activation: stack(t)!, gradient: stack(GRAD_IO.tensorGrad(t))! };
  }
  return result;
}
