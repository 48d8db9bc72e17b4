/**
 * CAM: for networks ending in global average pooling and a linear layer, the class map is the layer before the
 * pooling weighted by the linear layer's weights for the class (no gradients needed). Other heads are a clear
 * error naming what was found.
 */
import { UnsupportedError } from '../core/errors.js';
import type { Explanation, ExplainRequest, ExplainerSpec } from '../core/explainer.js';
import { CAM_PARAMS } from '../core/grad/cam-base.js';
import { activations } from '../core/grad/explain-helpers.js';
import { graphOf } from '../core/grad/layers.js';
import { upsampleMap } from '../core/grad/maps.js';
import { describeNode } from '../core/onnx/graph.js';
import { attrInt } from '../core/onnx/model.js';
import type { LoadedModel } from '../core/models/loaded-model.js';

const PASS_THROUGH = new Set(['Flatten', 'Reshape', 'Squeeze', 'Identity', 'Dropout']);

/** The GAP + linear head: the pooled tensor and the weight matrix as [classes][channels]. */
export function findCamHead(model: LoadedModel): { layer: string; weights: Float64Array; classes: number; channels: number } {
  const g = graphOf(model);
  const out = model.manifest.output.name;
  const head = g.producer.get(out);
  const bad = (why: string): never => {
    throw new UnsupportedError(`cam needs a global-average-pool + linear head; model "${model.id}": ${why}. Use grad-cam instead`, { param: 'method', code: 'unsupported_head' });
  };
  if (!head || (head.opType !== 'Gemm' && head.opType !== 'MatMul')) return bad(`the logits come from ${head ? describeNode(head) : 'no node'}`);
  const w = g.constValue(head.input[1]);
  if (!w || w.dims.length !== 2) return bad(`${describeNode(head)} has no constant 2-D weight`);
  const transB = head.opType === 'Gemm' && attrInt(head, 'transB', 0) === 1;
  const [classes, channels] = transB ? w.dims : [w.dims[1], w.dims[0]];
  let t = head.input[0];
  for (let n = g.producer.get(t); n && PASS_THROUGH.has(n.opType); n = g.producer.get(t)) t = n.input[0];
  const pool = g.producer.get(t);
  const isGap = pool?.opType === 'GlobalAveragePool' || (pool?.opType === 'ReduceMean' && JSON.stringify(g.shape(pool.output[0])?.slice(2)) === '[1,1]');
  if (!pool || !isGap) return bad(`the linear layer's input comes from ${pool ? describeNode(pool) : 'the graph input'}, not global average pooling`);
  const weights = new Float64Array(classes * channels);
  for (let k = 0; k < classes; k++) for (let c = 0; c < channels; c++) weights[k * channels + c] = transB ? w.values[k * channels + c] : w.values[c * classes + k];
  return { layer: pool.input[0], weights, classes, channels };
}

/**
 * Zhou, Khosla, Lapedriza, Oliva & Torralba (2016). Learning Deep Features for Discriminative Localization.
 * @example const e = await cam({ model, input, target: 3, params: {}, seed: 0, batchSize: 1 });
 */
export async function cam(req: ExplainRequest): Promise<Explanation> {
  req.model.checkTarget(req.target);
  const head = findCamHead(req.model);
  const a = (await activations(req.model, req.input, [head.layer]))[head.layer];
  const [, c, h, w] = a.shape;
  const hw = h * w;
  const relu = req.params.relu !== false;
  const map0 = new Float32Array(hw);
  for (let i = 0; i < hw; i++) {
    let s = 0;
    for (let ch = 0; ch < c; ch++) s += head.weights[req.target * head.channels + ch] * a.data[ch * hw + i];
    map0[i] = relu ? Math.max(0, s) : s;
  }
  const [, , H, W] = req.input.shape;
  const map = upsampleMap(map0, h, w, H, W, 'bilinear');
  const attribution = req.params.upsample === true ? { data: map.slice(), shape: [1, 1, H, W] } : { data: map0, shape: [1, 1, h, w] };
  return { attribution, map, width: W, height: H, signed: !relu, passes: 1, extras: { layer: head.layer } };
}

export const camSpec: ExplainerSpec = {
  name: 'cam',
  title: 'CAM',
  family: 'activation',
  needsGradients: false,
  shardable: false,
  paper: 'Zhou, Khosla, Lapedriza, Oliva & Torralba (2016). Learning Deep Features for Discriminative Localization.',
  description: "The last feature maps weighted by the linear head's weights for the class (global-average-pool + linear heads only).",
  params: CAM_PARAMS,
  explain: cam,
};
