/**
 * Static shape inference for the ops the gradient builder covers. Dims are numbers or symbols (the batch);
 * ops it does not know leave their outputs without a shape, and only a backward rule that needs that shape
 * fails (naming the node). Also the window geometry (kernel, strides, explicit pads after auto_pad, output
 * size with ceil_mode) shared by Conv, MaxPool and AveragePool and their backward rules.
 */
import { UnsupportedError } from '../errors.js';
import type { GraphInfo } from './graph.js';
import { attrInt, attrInts, attrString, type Dim, type NodeProto } from './model.js';

export interface WindowGeometry {
  /** Spatial kernel size (dims after N, C). */
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  /** Spatial sizes of the input and the output. */
  inSpatial: number[];
  outSpatial: number[];
}

/**
 * Geometry of a Conv / MaxPool / AveragePool node for an input of static spatial size. auto_pad is resolved
 * to explicit pads as ONNX specifies (SAME_UPPER puts the extra pad at the end). ceil_mode drops a last window
 * that would start in the end padding, as PyTorch and onnxruntime do.
 */
export function windowGeometry(node: NodeProto, inShape: readonly Dim[], kernelFromWeight?: readonly Dim[]): WindowGeometry {
  const inSpatial = inShape.slice(2);
  if (!inSpatial.every((d): d is number => typeof d === 'number')) {
    throw new UnsupportedError(`${node.opType} node "${node.name}": its input needs static spatial dims, got [${inShape.join(', ')}]`, { param: 'model' });
  }
  const r = inSpatial.length;
  const kernel = attrInts(node, 'kernel_shape') ?? (kernelFromWeight?.slice(2) as number[] | undefined);
  if (!kernel || kernel.length !== r || !kernel.every((k) => typeof k === 'number')) {
    throw new UnsupportedError(`${node.opType} node "${node.name}": kernel shape unknown`, { param: 'model' });
  }
  const strides = attrInts(node, 'strides') ?? new Array(r).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array(r).fill(1);
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads') ?? new Array(2 * r).fill(0);
  const padsBegin = pads.slice(0, r);
  const padsEnd = pads.slice(r, 2 * r);
  if (node.opType !== 'Conv' && autoPad.startsWith('SAME') && dilations.some((d) => d !== 1)) {
    // onnxruntime sizes SAME padding of dilated pools without the dilation; other runtimes differ.
    throw new UnsupportedError(`${node.opType} node "${node.name}": auto_pad ${autoPad} with dilations is ambiguous across runtimes; use explicit pads`, { param: 'model' });
  }
  const outSpatial: number[] = [];
  for (let i = 0; i < r; i++) {
    const ext = (kernel[i] - 1) * dilations[i] + 1;
    const n = inSpatial[i];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const out = Math.ceil(n / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + ext - n);
      const small = Math.floor(total / 2);
      padsBegin[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      padsEnd[i] = total - padsBegin[i];
      outSpatial.push(out);
      continue;
    }
    if (autoPad === 'VALID') {
      padsBegin[i] = 0;
      padsEnd[i] = 0;
    }
    const span = n + padsBegin[i] + padsEnd[i] - ext;
    let out = (ceil ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
    if (ceil && (out - 1) * strides[i] >= n + padsBegin[i]) out--;
    outSpatial.push(out);
  }
  return { kernel, strides, dilations, padsBegin, padsEnd, inSpatial, outSpatial };
}

function broadcast(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const r = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (typeof x === 'number') out.push(x);
    else out.push(typeof y === 'number' ? y : x);
  }
  return out;
}

function product(ds: readonly Dim[]): Dim {
  let p = 1;
  const syms: string[] = [];
  for (const d of ds) {
    if (typeof d === 'number') p *= d;
    else syms.push(d);
  }
  if (syms.length === 0) return p;
  return syms.length === 1 && p === 1 ? syms[0] : '?';
}

const normAxis = (a: number, r: number): number => (a < 0 ? a + r : a);

/** Axes from the attribute (older opsets) or the second input (opset 13+ for Squeeze/Unsqueeze/Reduce*). */
export function axesOf(g: GraphInfo, node: NodeProto, inputIndex = 1): number[] | undefined {
  const a = attrInts(node, 'axes');
  if (a) return a;
  const c = g.constValue(node.input[inputIndex] ?? '');
  return c ? Array.from(c.values) : undefined;
}

/** Pads of a Pad node: from the `pads` input (opset 11+) or attribute. */
export function padsOf(g: GraphInfo, node: NodeProto): number[] | undefined {
  const a = attrInts(node, 'pads');
  if (a) return a;
  const c = g.constValue(node.input[1] ?? '');
  return c ? Array.from(c.values) : undefined;
}

type Infer = (g: GraphInfo, n: NodeProto, ins: (Dim[] | undefined)[]) => (Dim[] | undefined)[] | undefined;

const same: Infer = (_g, _n, ins) => (ins[0] ? [ins[0]] : undefined);
const binary: Infer = (_g, _n, ins) => (ins[0] && ins[1] ? [broadcast(ins[0], ins[1])] : undefined);

const INFER: Record<string, Infer> = {
  Relu: same, LeakyRelu: same, Clip: same, Sigmoid: same, Tanh: same, HardSigmoid: same, HardSwish: same,
  Softmax: same, LogSoftmax: same, Identity: same, Neg: same, Exp: same, Sqrt: same,
  Dropout: (_g, _n, ins) => (ins[0] ? [ins[0], ins[0]] : undefined),
  BatchNormalization: same,
  Add: binary, Sub: binary, Mul: binary, Div: binary,
  Conv(g, n, ins) {
    const x = ins[0];
    const w = ins[1];
    if (!x || !w) return undefined;
    const geo = windowGeometry(n, x, w);
    return [[x[0], w[0], ...geo.outSpatial]];
  },
  MaxPool(g, n, ins) {
    const x = ins[0];
    if (!x) return undefined;
    const s = [x[0], x[1], ...windowGeometry(n, x).outSpatial];
    return [s, s];
  },
  AveragePool(g, n, ins) {
    const x = ins[0];
    return x ? [[x[0], x[1], ...windowGeometry(n, x).outSpatial]] : undefined;
  },
  GlobalAveragePool: (_g, _n, ins) => (ins[0] ? [[ins[0][0], ins[0][1], ...ins[0].slice(2).map(() => 1)]] : undefined),
  GlobalMaxPool: (_g, _n, ins) => (ins[0] ? [[ins[0][0], ins[0][1], ...ins[0].slice(2).map(() => 1)]] : undefined),
  Gemm(_g, n, ins) {
    const [a, b] = ins;
    if (!a || !b) return undefined;
    const m = attrInt(n, 'transA', 0) ? a[1] : a[0];
    const k = attrInt(n, 'transB', 0) ? b[0] : b[1];
    return [[m, k]];
  },
  MatMul(_g, _n, ins) {
    const [a, b] = ins;
    if (!a || !b || a.length < 2 || b.length < 2) return undefined;
    const batch = broadcast(a.slice(0, -2), b.slice(0, -2));
    return [[...batch, a[a.length - 2], b[b.length - 1]]];
  },
  Flatten(_g, n, ins) {
    const x = ins[0];
    if (!x) return undefined;
    const ax = normAxis(attrInt(n, 'axis', 1), x.length);
    return [[product(x.slice(0, ax)), product(x.slice(ax))]];
  },
  Reshape(g, n, ins) {
    const x = ins[0];
    const c = g.constValue(n.input[1]);
    if (!x || !c) return undefined;
    const target = Array.from(c.values);
    const out: Dim[] = target.map((d, i) => (d === 0 && attrInt(n, 'allowzero', 0) === 0 ? x[i] : d));
    const minus = out.indexOf(-1);
    if (minus >= 0) {
      const others = out.filter((_, i) => i !== minus);
      const total = product(x);
      const known = product(others);
      if (typeof total === 'number' && typeof known === 'number') out[minus] = total / known;
      else if (typeof known === 'number' && typeof total === 'string') out[minus] = known === 1 ? total : '?';
      else {
        // Symbol copied through a 0: the -1 is the product of the input's numeric dims over the output's.
        const numIn = product(x.filter((d) => typeof d === 'number'));
        const numOut = product(others.filter((d) => typeof d === 'number'));
        const symsIn = x.filter((d) => typeof d === 'string');
        const symsOut = others.filter((d) => typeof d === 'string');
        out[minus] = symsIn.length === symsOut.length && symsIn.every((s, i) => s === symsOut[i]) ? (numIn as number) / (numOut as number) : '?';
      }
    }
    return [out];
  },
  Squeeze(g, n, ins) {
    const x = ins[0];
    if (!x) return undefined;
    const axes = axesOf(g, n)?.map((a) => normAxis(a, x.length));
    return [x.filter((d, i) => (axes ? !axes.includes(i) : d !== 1))];
  },
  Unsqueeze(g, n, ins) {
    const x = ins[0];
    const axes = axesOf(g, n);
    if (!x || !axes) return undefined;
    const r = x.length + axes.length;
    const ax = axes.map((a) => normAxis(a, r));
    const out: Dim[] = [];
    let j = 0;
    for (let i = 0; i < r; i++) out.push(ax.includes(i) ? 1 : x[j++]);
    return [out];
  },
  Transpose(_g, n, ins) {
    const x = ins[0];
    if (!x) return undefined;
    const perm = attrInts(n, 'perm') ?? x.map((_, i) => x.length - 1 - i);
    return [perm.map((p) => x[p])];
  },
  Concat(_g, n, ins) {
    if (ins.some((s) => !s)) return undefined;
    const first = ins[0]!;
    const ax = normAxis(attrInt(n, 'axis', 0), first.length);
    const out = [...first];
    let sum: Dim = 0;
    for (const s of ins) sum = typeof sum === 'number' && typeof s![ax] === 'number' ? sum + (s![ax] as number) : '?';
    out[ax] = sum;
    return [out];
  },
  Pad(g, n, ins) {
    const x = ins[0];
    const pads = padsOf(g, n);
    if (!x || !pads) return undefined;
    const r = x.length;
    return [x.map((d, i) => (typeof d === 'number' ? d + pads[i] + pads[i + r] : pads[i] + pads[i + r] === 0 ? d : '?'))];
  },
  Constant(g, n) {
    const c = g.constValue(n.output[0]);
    return c ? [c.dims] : undefined;
  },
};

/** Fill `g.shapes` for every output of a node it knows; keeps shapes the model declares. */
export function inferShapes(g: GraphInfo): void {
  for (const [name, t] of g.initializers) if (!g.shapes.has(name)) g.shapes.set(name, t.dims.map(Number));
  for (const n of g.nodes) {
    const f = INFER[n.opType];
    if (!f || (n.domain !== '' && n.domain !== 'ai.onnx')) continue;
    const ins = n.input.map((i) => (i ? g.shapes.get(i) : undefined));
    let outs: (Dim[] | undefined)[] | undefined;
    try {
      outs = f(g, n, ins);
    } catch {
      outs = undefined; // the backward rule that needs this shape reports it, naming the node
    }
    if (!outs) continue;
    n.output.forEach((o, i) => {
      const known = g.shapes.get(o);
      if (o && outs![i] && (!known || known.includes('?'))) g.shapes.set(o, outs![i]!);
    });
  }
}
