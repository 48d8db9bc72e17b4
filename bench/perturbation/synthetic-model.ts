/**
 * A synthetic 224 x 224 ImageNet-shaped classifier for benchmarks (no such model ships with the repo):
 * 4 x [Conv 3x3 stride 2 + ReLU] (3->32->64->128->256 channels), GlobalAveragePool, Gemm 256->1000, seeded
 * weights; about 0.37 GFLOP per image, MobileNet-class. Built with the ONNX helpers of src/core/onnx.
 */
import { create } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import { makeFloatTensor, makeNode, makeValueInfo, parseModel, serializeModel } from '../../src/core/onnx/model.js';
import { GraphProtoSchema } from '../../src/core/onnx/proto/onnx_pb.js';
import { REFERENCE_DATA_DIR } from '../../test/helpers/reference-dir.js';

function seeded(n: number, scale: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

export function syntheticModel224(): Uint8Array {
  const m = parseModel(new Uint8Array(readFileSync(`${REFERENCE_DATA_DIR}/models/tinycnn.onnx`)));
  const chans = [3, 32, 64, 128, 256];
  const nodes = [];
  const inits = [];
  let x = 'input';
  for (let i = 0; i < 4; i++) {
    const w = `w${i}`;
    const b = `b${i}`;
    inits.push(makeFloatTensor(w, [chans[i + 1], chans[i], 3, 3], seeded(chans[i + 1] * chans[i] * 9, Math.sqrt(6 / (chans[i] * 9)), i + 1)));
    inits.push(makeFloatTensor(b, [chans[i + 1]], seeded(chans[i + 1], 0.01, i + 11)));
    nodes.push(makeNode('Conv', [x, w, b], [`c${i}`], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }));
    nodes.push(makeNode('Relu', [`c${i}`], [`r${i}`]));
    x = `r${i}`;
  }
  nodes.push(makeNode('GlobalAveragePool', [x], ['gap']));
  nodes.push(makeNode('Flatten', ['gap'], ['flat'], { axis: 1 }));
  inits.push(makeFloatTensor('fc_w', [1000, 256], seeded(256000, Math.sqrt(6 / 256), 99)));
  inits.push(makeFloatTensor('fc_b', [1000], seeded(1000, 0.01, 98)));
  nodes.push(makeNode('Gemm', ['flat', 'fc_w', 'fc_b'], ['logits'], { transB: 1 }));
  m.graph = create(GraphProtoSchema, {
    name: 'synthetic224',
    node: nodes,
    initializer: inits,
    input: [makeValueInfo('input', 1, ['batch', 3, 224, 224])],
    output: [makeValueInfo('logits', 1, ['batch', 1000])],
  });
  return serializeModel(m);
}
