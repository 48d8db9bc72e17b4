/**
 * Score-CAM (Wang et al. 2020): each channel k of a layer's activation A, bilinearly upsampled to the input
 * size and min-max normalised to [0, 1], masks the input; the target's score on that masked input (a
 * probability by default, as the paper and pytorch-grad-cam) is the channel's weight; the map is
 * ReLU(sum_k w_k A_k) at layer resolution, upsampled bilinearly (align_corners=False) to the input.
 * The activations come from one forward pass of the model with the layer exposed as an output (the graph
 * builder's exposeTensors), done once at plan time and shipped to the shards. One sample per channel; the
 * shard statistic is the per-channel weight (each channel written by exactly one shard).
 */
import { InvalidInputError } from '../core/errors.js';
import type { ExplainerSpec } from '../core/explainer.js';
import { exposeTensors } from '../core/onnx/expose.js';
import type { ParamSpec } from '../core/params.js';
import { decodeTensor, encodeTensor, type EncodedTensor } from '../core/perturbation/codec.js';
import { perturbationSpec } from '../core/perturbation/engine.js';
import { scoreKind, scoresParam } from '../core/perturbation/scores-param.js';
import type { PerturbationMethod } from '../core/perturbation/types.js';

const PARAMS: readonly ParamSpec[] = [scoresParam('probabilities')];

/** Bound on channels x layer pixels shipped with every shard. */
const MAX_ACTIVATION_VALUES = 1 << 22;

/** Bilinear resampling tables (align_corners=False, PyTorch/Captum): for each output index, i0, i1, weight of i1. */
function bilinearAxis(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; f: Float64Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const f = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const src = Math.max(0, (d + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, inSize - 1);
    f[d] = src - lo;
  }
  return { i0, i1, f };
}

/** Upsample one h x w plane to H x W into `out`. */
function upsample(src: ArrayLike<number>, _h: number, w: number, ty: ReturnType<typeof bilinearAxis>, tx: ReturnType<typeof bilinearAxis>, out: Float32Array | Float64Array, off = 0): void {
  const H = ty.i0.length;
  const W = tx.i0.length;
  for (let y = 0; y < H; y++) {
    const r0 = ty.i0[y] * w;
    const r1 = ty.i1[y] * w;
    const fy = ty.f[y];
    for (let x = 0; x < W; x++) {
      const c0 = tx.i0[x];
      const c1 = tx.i1[x];
      const fx = tx.f[x];
      const top = src[r0 + c0] * (1 - fx) + src[r0 + c1] * fx;
      const bot = src[r1 + c0] * (1 - fx) + src[r1 + c1] * fx;
      out[off + y * W + x] = top * (1 - fy) + bot * fy;
    }
  }
}

interface State {
  act: Float32Array;
  channels: number;
  h: number;
  w: number;
  H: number;
  W: number;
  inC: number;
  input: Float32Array;
  target: number;
  ty: ReturnType<typeof bilinearAxis>;
  tx: ReturnType<typeof bilinearAxis>;
  plane: Float64Array;
  layer: string;
  zeros: Float32Array;
}

export const scoreCamMethod: PerturbationMethod<State, null> = {
  name: 'score-cam',
  params: PARAMS,
  scores: (p) => scoreKind(p.scores),
  async plan(p) {
    const layer = p.layer ?? p.model.manifest.camLayer;
    if (!layer) throw new InvalidInputError(`score-cam needs a layer: pass layer (an ONNX tensor name) or set camLayer in model "${p.model.id}"'s manifest`, { param: 'layer' });
    const session = await p.model.variant(`expose:${layer}`, () => exposeTensors(p.model.bytes, [layer]));
    const out = await session.run({ [p.model.manifest.input.name]: p.input }, [layer]);
    const a = out[layer];
    if (!a || a.shape.length !== 4 || a.shape[0] !== 1) {
      throw new InvalidInputError(`layer "${layer}" has shape [${a?.shape.join(', ')}]; score-cam needs a [1, channels, h, w] feature map`, { param: 'layer' });
    }
    if (a.data.length > MAX_ACTIVATION_VALUES) throw new InvalidInputError(`layer "${layer}" has ${a.data.length} values; at most ${MAX_ACTIVATION_VALUES}`, { param: 'layer' });
    return { total: a.shape[1], shared: { layer, activation: encodeTensor(a) as unknown as { shape: number[]; f32: string } }, passes: 1 };
  },
  prepare(c) {
    const sh = c.shared as unknown as { layer: string; activation: EncodedTensor };
    const a = decodeTensor(sh.activation, 'activation');
    const [, ch, h, w] = a.shape;
    const [, inC, H, W] = c.input.shape;
    return {
      act: a.data,
      channels: ch,
      h,
      w,
      H,
      W,
      inC,
      input: c.input.data,
      target: c.target,
      ty: bilinearAxis(h, H),
      tx: bilinearAxis(w, W),
      plane: new Float64Array(H * W),
      layer: sh.layer,
      zeros: new Float32Array(c.input.data.length),
    };
  },
  statistics: (s) => ({ weights: s.channels }),
  fill: (s) => s.zeros,
  keepChannels: () => 1,
  generate(s, start, count, keep) {
    const HW = s.H * s.W;
    const hw = s.h * s.w;
    const plane = s.plane;
    for (let j = 0; j < count; j++) {
      const k = start + j;
      upsample(s.act.subarray(k * hw, (k + 1) * hw), s.h, s.w, s.ty, s.tx, plane);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < HW; i++) {
        if (plane[i] < lo) lo = plane[i];
        if (plane[i] > hi) hi = plane[i];
      }
      // A constant channel carries no spatial information: its mask is empty (the input fully hidden).
      const scale = hi > lo ? 1 / (hi - lo) : 0;
      const o = j * HW;
      for (let i = 0; i < HW; i++) keep[o + i] = (plane[i] - lo) * scale;
    }
    return null;
  },
  accumulate(s, _m, start, count, scores, classes, stats) {
    for (let j = 0; j < count; j++) stats.weights[start + j] += scores[j * classes + s.target];
  },
  finalize(s, stats) {
    const hw = s.h * s.w;
    const cam = new Float32Array(hw);
    for (let i = 0; i < hw; i++) {
      let v = 0;
      for (let k = 0; k < s.channels; k++) v += stats.weights[k] * s.act[k * hw + i];
      cam[i] = Math.max(0, v);
    }
    const map = new Float32Array(s.H * s.W);
    upsample(cam, s.h, s.w, s.ty, s.tx, map);
    return {
      attribution: { data: cam, shape: [1, 1, s.h, s.w] },
      map,
      width: s.W,
      height: s.H,
      signed: false,
      extras: { layer: s.layer, channels: s.channels, channelWeights: Array.from(stats.weights) },
    };
  },
};

/**
 * Score-CAM. Wang et al. (2020), "Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks".
 * @example const e = await scoreCam.explain({ ...req, layer: '/conv2/Conv_output_0', params: { scores: 'probabilities' } });
 */
export const scoreCam: ExplainerSpec = perturbationSpec(scoreCamMethod, {
  title: 'Score-CAM',
  paper: 'Wang, H., Wang, Z., Du, M., Yang, F., Zhang, Z., Ding, S., Mardziel, P. & Hu, X. (2020). Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks.',
  description: "Weights a layer's channels by the target score of the input masked with each upsampled, normalised channel; ReLU of the weighted sum.",
  family: 'activation',
});

