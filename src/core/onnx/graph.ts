/**
 * A read-only view of an ONNX graph for graph rewriting: producers and consumers of each tensor, constant
 * values (initializers, Constant nodes and Identity nodes of either), the default opset, nodes in topological order, and static shapes
 * (inferred by ./shapes.ts for the ops the gradient builder covers; the batch stays a symbol).
 */
import { InvalidInputError } from '../errors.js';
import { attr, decodeTensor, defaultOpset, valueInfoShape, type ConstTensor, type Dim, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from './model.js';
import { inferShapes } from './shapes.js';

export class GraphInfo {
  readonly graph: GraphProto;
  readonly opset: number;
  readonly initializers = new Map<string, TensorProto>();
  readonly producer = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  /** Nodes in a topological order (the file's order when it is already one). */
  readonly nodes: NodeProto[];
  readonly shapes = new Map<string, Dim[]>();
  private readonly constCache = new Map<string, ConstTensor | null>();

  constructor(readonly model: ModelProto) {
    this.graph = model.graph!;
    this.opset = defaultOpset(model);
    for (const t of this.graph.initializer) this.initializers.set(t.name, t);
    for (const n of this.graph.node) {
      for (const o of n.output) if (o) this.producer.set(o, n);
      for (const i of n.input) {
        if (!i) continue;
        const list = this.consumers.get(i);
        if (list) list.push(n);
        else this.consumers.set(i, [n]);
      }
    }
    this.nodes = topoSort(this.graph, this.initializers);
    for (const v of [...this.graph.input, ...this.graph.valueInfo, ...this.graph.output]) {
      const s = valueInfoShape(v);
      if (s?.dims) this.shapes.set(v.name, s.dims);
    }
    inferShapes(this);
  }

  /** Names of the real (non-initializer) graph inputs. */
  get inputNames(): string[] {
    return this.graph.input.map((v) => v.name).filter((n) => !this.initializers.has(n));
  }

  /** Value of a constant tensor (initializer or Constant node output), else undefined. */
  constValue(name: string): ConstTensor | undefined {
    if (!name) return undefined;
    const hit = this.constCache.get(name);
    if (hit !== undefined) return hit ?? undefined;
    let v: ConstTensor | undefined;
    const init = this.initializers.get(name);
    if (init) v = decodeTensor(init);
    else {
      const p = this.producer.get(name);
      // Exporters deduplicate equal weights through Identity nodes (e.g. a BatchNorm bias shared by two layers).
      if (p?.opType === 'Identity') v = this.constValue(p.input[0]);
      else if (p?.opType === 'Constant') {
        const a = attr(p, 'value');
        if (a?.t) v = decodeTensor(a.t);
        else if (attr(p, 'value_float')) v = { dims: [], dataType: 1, values: Float64Array.of(attr(p, 'value_float')!.f) };
        else if (attr(p, 'value_floats')) v = { dims: [attr(p, 'value_floats')!.floats.length], dataType: 1, values: Float64Array.from(attr(p, 'value_floats')!.floats) };
        else if (attr(p, 'value_int')) v = { dims: [], dataType: 7, values: Float64Array.of(Number(attr(p, 'value_int')!.i)) };
        else if (attr(p, 'value_ints')) v = { dims: [attr(p, 'value_ints')!.ints.length], dataType: 7, values: Float64Array.from(attr(p, 'value_ints')!.ints.map(Number)) };
      }
    }
    this.constCache.set(name, v ?? null);
    return v;
  }

  shape(name: string): Dim[] | undefined {
    return this.shapes.get(name);
  }
}

/** "Conv node \"/conv1/Conv\"" — how errors name a node. */
export function describeNode(n: NodeProto): string {
  return `${n.opType} node "${n.name || n.output[0] || '(unnamed)'}"`;
}

function topoSort(g: GraphProto, inits: Map<string, TensorProto>): NodeProto[] {
  const ready = new Set<string>([...g.input.map((v) => v.name), ...inits.keys(), '']);
  const out: NodeProto[] = [];
  const pending = [...g.node];
  let progress = true;
  while (pending.length && progress) {
    progress = false;
    for (let i = 0; i < pending.length; ) {
      const n = pending[i];
      if (n.input.every((x) => ready.has(x))) {
        out.push(n);
        for (const o of n.output) ready.add(o);
        pending.splice(i, 1);
        progress = true;
      } else i++;
    }
  }
  if (pending.length) {
    const n = pending[0];
    throw new InvalidInputError(`ONNX graph is not a DAG or has a dangling input: ${n.opType} node "${n.name}" needs ${n.input.filter((x) => !ready.has(x)).join(', ')}`, { param: 'model', code: 'bad_model' });
  }
  return out;
}
