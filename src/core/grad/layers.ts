/**
 * Choosing the layer of CAM methods: the request's layer, else the manifest's camLayer, else the last
 * tensor (in topological order) with static spatial dims larger than 1x1 that the logits depend on.
 */
import type { ExplainRequest } from '../explainer.js';
import { InvalidInputError } from '../errors.js';
import { GraphInfo } from '../onnx/graph.js';
import { parseModel } from '../onnx/model.js';
import type { LoadedModel } from '../models/loaded-model.js';

const infos = new WeakMap<Uint8Array, GraphInfo>();

/** Parsed graph of a loaded model (cached per model bytes). */
export function graphOf(model: LoadedModel): GraphInfo {
  let g = infos.get(model.bytes);
  if (!g) {
    g = new GraphInfo(parseModel(model.bytes));
    infos.set(model.bytes, g);
  }
  return g;
}

export function lastSpatialTensor(model: LoadedModel): string {
  const g = graphOf(model);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    for (const o of g.nodes[i].output) {
      const s = g.shape(o);
      if (s && s.length === 4 && typeof s[2] === 'number' && typeof s[3] === 'number' && s[2] * s[3] > 1) return o;
    }
  }
  throw new InvalidInputError(`model "${model.id}" has no tensor with spatial dims; give a layer`, { param: 'layer' });
}

/** The layer a CAM method explains, checked to be a 4-D tensor of the graph. */
export function camLayerOf(req: ExplainRequest): { layer: string; shape: number[] } {
  const layer = req.layer ?? req.model.manifest.camLayer ?? lastSpatialTensor(req.model);
  const g = graphOf(req.model);
  if (!g.producer.has(layer)) throw new InvalidInputError(`layer "${layer}" is not a tensor of model "${req.model.id}"`, { param: 'layer', code: 'unknown_tensor' });
  const s = g.shape(layer);
  if (!s || s.length !== 4 || !s.slice(1).every((d) => typeof d === 'number')) {
    throw new InvalidInputError(`layer "${layer}" must be a [N, C, H, W] tensor with static C, H, W; its shape is [${s?.join(', ') ?? 'unknown'}]`, { param: 'layer' });
  }
  return { layer, shape: s as number[] };
}
