/**
 * Tiny ONNX graphs for gradient tests, built with the generated protobuf types, and a finite-difference
 * oracle: central differences of sum(w * y) for every input element, evaluated in float64 by onnxruntime-node
 * on a float64 copy of the graph where ORT has double kernels, else in float32 with a step suited to the op.
 */
import { clone, create } from '@bufbuild/protobuf';
import * as ort from 'onnxruntime-node';
import { DataType, makeFloatTensor, makeValueInfo, serializeModel, type NodeProto, type TensorProto } from '../../../src/core/onnx/model.js';
import { ModelProtoSchema, GraphProtoSchema, OperatorSetIdProtoSchema, type ModelProto } from '../../../src/core/onnx/proto/onnx_pb.js';

import { rng } from '../../helpers/rng.js';
export { rng };

export function randn(n: number, r: () => number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  return out;
}

export interface TinyGraph {
  nodes: NodeProto[];
  inits?: TensorProto[];
  out: string;
  opset?: number;
}

/** A model with one float input "x" of shape ["N", ...xShape] and one output. */
export function tinyModel(xShape: readonly number[], g: TinyGraph): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(g.opset ?? 13) })],
    producerName: 'xai-edge-tests',
    graph: create(GraphProtoSchema, {
      name: 'tiny',
      node: g.nodes,
      initializer: g.inits ?? [],
      input: [makeValueInfo('x', DataType.FLOAT, ['N', ...xShape])],
      output: [makeValueInfo(g.out, DataType.FLOAT)],
    }),
  });
}

export const floatInit = makeFloatTensor;

/** A float64 copy of a float32 model (initializers, Constant values, inputs and outputs). */
function toDouble(m: ModelProto): ModelProto {
  const c = clone(ModelProtoSchema, m);
  const g = c.graph!;
  g.initializer = g.initializer.map((t) => (t.dataType === DataType.FLOAT ? makeDouble(t.name, t.dims, new Float32Array(t.rawData.slice().buffer)) : t));
  for (const n of g.node) for (const a of n.attribute) if (a.t && a.t.dataType === DataType.FLOAT) a.t = makeDouble(a.t.name, a.t.dims, new Float32Array(a.t.rawData.slice().buffer));
  for (const v of [...g.input, ...g.output]) if (v.type?.value.case === 'tensorType') v.type.value.value.elemType = DataType.DOUBLE;
  return c;
}

function makeDouble(name: string, dims: bigint[], f: Float32Array): TensorProto {
  const t = makeFloatTensor(name, dims.map(Number), f);
  t.dataType = DataType.DOUBLE;
  t.rawData = new Uint8Array(Float64Array.from(f).buffer);
  return t;
}

/** f(rows) = sum(w * y_row) for each row of a batch, in float64 where ORT can, else float32. */
async function forwardRows(m: ModelProto, xs: Float64Array, xShape: readonly number[], rows: number, w: Float32Array): Promise<{ f: Float64Array; f64: boolean }> {
  let out: ort.Tensor | undefined;
  let f64 = true;
  try {
    const s = await ort.InferenceSession.create(serializeModel(toDouble(m)));
    const r = await s.run({ x: new ort.Tensor('float64', xs, [rows, ...xShape]) });
    out = r[s.outputNames[0]] as ort.Tensor;
    await s.release();
  } catch {
    f64 = false;
    const s = await ort.InferenceSession.create(serializeModel(m));
    const r = await s.run({ x: new ort.Tensor('float32', Float32Array.from(xs), [rows, ...xShape]) });
    out = r[s.outputNames[0]] as ort.Tensor;
    await s.release();
  }
  const y = out.data as Float64Array | Float32Array;
  const per = y.length / rows;
  const f = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < per; i++) s += w[i] * y[r * per + i];
    f[r] = s;
  }
  return { f, f64 };
}

/**
 * Central-difference gradient of sum(w * y) w.r.t. every element of x (batch 1), all perturbations in one batch.
 * `h64` / `h32`: steps for the float64 and float32 evaluations.
 */
export async function finiteDifference(m: ModelProto, x: Float32Array, xShape: readonly number[], w: Float32Array, h64: number, h32: number): Promise<{ grad: Float64Array; f64: boolean }> {
  const n = x.length;
  const build = (h: number): Float64Array => {
    const xs = new Float64Array(2 * n * n);
    for (let i = 0; i < n; i++) {
      xs.set(x, 2 * i * n);
      xs.set(x, (2 * i + 1) * n);
      xs[2 * i * n + i] += h;
      xs[(2 * i + 1) * n + i] -= h;
    }
    return xs;
  };
  let res = await forwardRows(m, build(h64), xShape, 2 * n, w);
  let h = h64;
  if (!res.f64) {
    h = h32;
    res = await forwardRows(m, build(h32), xShape, 2 * n, w);
  }
  const grad = new Float64Array(n);
  for (let i = 0; i < n; i++) grad[i] = (res.f[2 * i] - res.f[2 * i + 1]) / (2 * h);
  return { grad, f64: res.f64 };
}
