/**
 * Canonizers: pure model-to-model rewrites applied before a rule set walks the graph (Zennit's canonizers).
 * foldBatchNorm merges each inference-mode BatchNormalization into the Conv that feeds it (and only it), as
 * Zennit's SequentialMergeBatchNorm: w' = w * s, b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps). LRP
 * rules then see one linear layer instead of a linear layer and an affine scale. (Zennit keeps the BN computing
 * x / sqrt(1 + eps) afterwards, ~1e-5 relative; here it is removed.)
 */
import { clone } from '@bufbuild/protobuf';
import { GraphInfo } from '../onnx/graph.js';
import { attrFloat, attrInt, makeFloatTensor, type ModelProto } from '../onnx/model.js';
import { ModelProtoSchema } from '../onnx/proto/onnx_pb.js';
import type { Canonizer } from './rule.js';

/**
 * Fold BatchNormalization into the preceding Conv.
 * Ioffe & Szegedy (2015). Batch Normalization; folding as in Zennit (Anders et al., 2021, Software for Dataset-wide XAI).
 * @example const folded = foldBatchNorm(parseModel(bytes));
 */
export const foldBatchNorm: Canonizer = (source: ModelProto, keep: ReadonlySet<string> = new Set()): ModelProto => {
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
    const eps = attrFloat(bn, 'epsilon', 1e-5);
    const co = w.dims[0];
    const per = w.values.length / co;
    const s = Float64Array.from(gamma.values, (g, c) => g / Math.sqrt(variance.values[c] + eps));
    const w2 = Float64Array.from(w.values, (v, i) => v * s[Math.floor(i / per)]);
    const b2 = Float64Array.from({ length: co }, (_, c) => ((b ? b.values[c] : 0) - mean.values[c]) * s[c] + beta.values[c]);
    const wName = `xai_bnfold/${k}/weight`;
    const bName = `xai_bnfold/${k++}/bias`;
    graph.initializer.push(makeFloatTensor(wName, w.dims, w2), makeFloatTensor(bName, [co], b2));
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
};

