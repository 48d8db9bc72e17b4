/**
 * Canonizers: pure model-to-model rewrites applied before a rule set walks the graph (Zennit's canonizers).
 * foldBatchNorm merges each inference-mode BatchNormalization into the Conv that feeds it (and only it), as
 * Zennit's SequentialMergeBatchNorm: w' = w * s, b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps). LRP
 * rules then see one linear layer instead of a linear layer and an affine scale. (Zennit keeps the BN computing
 * x / sqrt(1 + eps) afterwards, ~1e-5 relative; here it is removed.) foldBatchNormAsOrt does the same in
 * onnxruntime's float32 arithmetic, for the exact-gradient rule sets (see its doc comment).
 */
import { clone } from '@bufbuild/protobuf';
import { GraphInfo } from '../onnx/graph.js';
import { attrFloat, attrInt, makeFloatTensor, type ModelProto } from '../onnx/model.js';
import { ModelProtoSchema } from '../onnx/proto/onnx_pb.js';
import type { Canonizer } from './rule.js';

interface BnParams {
  w: ArrayLike<number>;
  /** Weights per output channel. */
  per: number;
  b?: ArrayLike<number>;
  gamma: ArrayLike<number>;
  beta: ArrayLike<number>;
  mean: ArrayLike<number>;
  variance: ArrayLike<number>;
  eps: number;
}

/** Folded weights and bias, in float64 (then rounded once). */
function foldF64(p: BnParams): { w: ArrayLike<number>; b: ArrayLike<number> } {
  const s = Float64Array.from(p.gamma, (g, c) => g / Math.sqrt(p.variance[c] + p.eps));
  return {
    w: Float64Array.from(p.w, (v, i) => v * s[Math.floor(i / p.per)]),
    b: Float64Array.from(s, (sc, c) => ((p.b ? p.b[c] : 0) - p.mean[c]) * sc + p.beta[c]),
  };
}

/**
 * Folded weights and bias in float32 arithmetic, in onnxruntime's order (ConvBNFusion). One float64 operation
 * rounded to float32 equals the float32 operation for +, -, *, / and sqrt.
 */
function foldF32(p: BnParams): { w: ArrayLike<number>; b: ArrayLike<number> } {
  const f = Math.fround;
  const s = Float32Array.from(p.gamma, (g, c) => f(g / f(Math.sqrt(f(p.variance[c] + f(p.eps))))));
  return {
    w: Float32Array.from(p.w, (v, i) => f(v * s[Math.floor(i / p.per)])),
    b: Float32Array.from(s, (sc, c) => (p.b ? f(f(f(p.b[c] - p.mean[c]) * sc) + p.beta[c]) : f(p.beta[c] - f(p.mean[c] * sc)))),
  };
}

/**
 * Fold BatchNormalization into the preceding Conv.
 * Ioffe & Szegedy (2015). Batch Normalization; folding as in Zennit (Anders et al., 2021, Software for Dataset-wide XAI).
 * @example const folded = foldBatchNorm(parseModel(bytes));
 */
export const foldBatchNorm: Canonizer = (source, keep) => foldWith(foldF64, source, keep);

/**
 * foldBatchNorm with the folded weights computed exactly as onnxruntime computes them when it fuses Conv +
 * BatchNormalization in the model's own session: bit for bit the same forward pass, so every ReLU mask and
 * max-pool winner of the gradient graph is the model's. The backward then needs no per-channel scale of each
 * gradient map (the gradient changes by float32 rounding of w * s only).
 */
export const foldBatchNormAsOrt: Canonizer = (source, keep) => foldWith(foldF32, source, keep);

function foldWith(fold: (p: BnParams) => { w: ArrayLike<number>; b: ArrayLike<number> }, source: ModelProto, keep: ReadonlySet<string> = new Set()): ModelProto {
  const model = clone(ModelProtoSchema, source);
  const info = new GraphInfo(model);
  const graph = model.graph!;
  const outputs = new Set(graph.output.map((o) => o.name));
  const drop = new Set<unknown>();
  let k = 0;
  for (const bn of info.nodes) {
    if (bn.opType !== 'BatchNormalization' || attrInt(bn, 'training_mode', 0) === 1) continue;
    const conv = info.producer.get(bn.input[0]);
    if (!conv || conv.opType !== 'Conv' || (info.consumers.get(bn.input[0]) ?? []).length !== 1 || outputs.has(bn.input[0]) || keep.has(bn.input[0])) continue;
    const w = info.constValue(conv.input[1]);
    const b = conv.input[2] ? info.constValue(conv.input[2]) : undefined;
    const [gamma, beta, mean, variance] = bn.input.slice(1, 5).map((n) => info.constValue(n));
    if (!w || (conv.input[2] && !b) || !gamma || !beta || !mean || !variance) continue;
    const co = w.dims[0];
    const folded = fold({ w: w.values, per: w.values.length / co, b: b?.values, gamma: gamma.values, beta: beta.values, mean: mean.values, variance: variance.values, eps: attrFloat(bn, 'epsilon', 1e-5) });
    const wName = `xai_bnfold/${k}/weight`;
    const bName = `xai_bnfold/${k++}/bias`;
    graph.initializer.push(makeFloatTensor(wName, w.dims, folded.w), makeFloatTensor(bName, [co], folded.b));
    conv.input = [conv.input[0], wName, bName];
    conv.output = [bn.output[0]];
    drop.add(bn);
  }
  graph.node = graph.node.filter((n) => !drop.has(n));
  // Drop the weights nothing reads any more (onnxruntime warns about each unused initializer).
  const used = new Set(graph.node.flatMap((n) => n.input));
  graph.initializer = graph.initializer.filter((t) => used.has(t.name) || outputs.has(t.name));
  graph.input = graph.input.filter((v) => used.has(v.name) || !info.initializers.has(v.name));
  return model;
}

