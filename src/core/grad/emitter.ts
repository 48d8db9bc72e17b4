/**
 * Writes the nodes and constants of a backward graph: fresh tensor names, constants as initializers, and the
 * handful of ops whose form depends on the opset (ReduceSum / Squeeze / Unsqueeze take axes as an attribute
 * before opset 13 and as an input from 13 on), so rules stay opset-agnostic. It also keeps notes one rule
 * leaves for the next (how a max-pool gradient was scattered, that a gradient is a broadcast), so that a ReLU
 * can mask the smaller tensor, and the batch index that max-pool scatters share.
 */
import { DataType, makeFloatTensor, makeInt64Tensor, makeNode, type AttrValue, type Dim, type NodeProto, type TensorProto } from '../onnx/model.js';

/**
 * How a max-pool gradient was put back onto the pool's input: `rebuild` scatters another pooled gradient the
 * same way. A ReLU whose output is the pool's `input` masks the pooled gradient with `pooled` > 0 and rebuilds,
 * instead of masking the larger scattered one (the unused first scatter is pruned by the builder).
 */
export interface PoolScatter {
  /** The pool's forward input and output. */
  readonly input: string;
  readonly pooled: string;
  /** The pooled gradient that was scattered. */
  readonly grad: string;
  /** Windows do not overlap: each input element receives one pooled value or none (not a sum). */
  readonly disjoint: boolean;
  readonly rebuild: (grad: string) => string;
}

export class Emitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;
  private readonly constCache = new Map<string, string>();
  private readonly shapeCache = new Map<string, string>();
  private readonly batchCache = new Map<string, string>();
  private readonly batchSources = new Map<string, string>();
  private readonly scatters = new Map<string, PoolScatter>();
  private readonly broadcasts = new Map<string, string>();

  constructor(
    readonly opset: number,
    private readonly prefix = 'xai_g',
  ) {}

  fresh(hint: string): string {
    return `${this.prefix}/${hint}/${this.counter++}`;
  }

  /** Add a node with one output; returns the output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue | undefined> = {}, out?: string): string {
    const o = out ?? this.fresh(opType);
    this.nodes.push(makeNode(opType, inputs, [o], attrs, `${this.prefix}/${opType}_${this.counter++}`));
    return o;
  }

  /** Add a node with several outputs; returns their names. */
  opMulti(opType: string, inputs: readonly string[], outputs: number, attrs: Record<string, AttrValue | undefined> = {}): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(opType));
    this.nodes.push(makeNode(opType, inputs, outs, attrs, `${this.prefix}/${opType}_${this.counter++}`));
    return outs;
  }

  /** A copy of a forward node (same op and attributes) on other inputs; returns its first output. */
  clone(node: NodeProto, inputs: readonly string[]): string {
    const o = this.fresh(`${node.opType}_clone`);
    const copy = makeNode(node.opType, inputs, [o], {}, `${this.prefix}/${node.opType}_clone_${this.counter++}`);
    copy.attribute = node.attribute.map((a) => ({ ...a }));
    copy.domain = node.domain;
    this.nodes.push(copy);
    return o;
  }

  /** A float32 constant (scalar when dims are omitted); small ones are shared. */
  constF(values: ArrayLike<number>, dims: readonly number[] = []): string {
    return this.constant('f', values, dims);
  }

  constI64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant('i', values, dims);
  }

  private constant(kind: 'f' | 'i', values: ArrayLike<number>, dims: readonly number[]): string {
    const key = values.length <= 64 ? `${kind}:${dims.join('x')}:${Array.from(values).join(',')}` : undefined;
    const hit = key && this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh(kind === 'f' ? 'const' : 'ints');
    this.initializers.push(kind === 'f' ? makeFloatTensor(name, dims, values) : makeInt64Tensor(name, dims, Array.from(values)));
    if (key) this.constCache.set(key, name);
    return name;
  }

  /** Shape(x), shared per tensor. */
  shapeOf(x: string): string {
    let s = this.shapeCache.get(x);
    if (!s) {
      s = this.op('Shape', [x]);
      this.shapeCache.set(x, s);
    }
    return s;
  }

  /**
   * Declare that dim 0 of the graph input `tensor` is the symbolic batch dimension `dim`: batchIndex reads the
   * batch size of every tensor whose dim 0 is that symbol from it, so the index needs nothing computed later.
   */
  setBatchSource(dim: Dim | undefined, tensor: string): void {
    if (typeof dim === 'string' && dim && dim !== '?') this.batchSources.set(dim, tensor);
  }

  /**
   * int64 [N, 1, ..., 1] (rank `rank`) holding 0..N-1, where N = dim 0 of `like`, given as `dim` (its static
   * value or symbol). Shared per symbol and rank; a constant when the dim is static.
   */
  batchIndex(like: string, dim: Dim, rank: number): string {
    const ones = new Array<number>(rank - 1).fill(1);
    if (typeof dim === 'number') return this.constI64(Array.from({ length: dim }, (_, i) => i), [dim, ...ones]);
    // An unknown dim ('?') names no particular size: nothing to share.
    const key = dim && dim !== '?' ? `${dim}|${rank}` : undefined;
    let b = key ? this.batchCache.get(key) : undefined;
    if (!b) {
      const n = this.op('Gather', [this.shapeOf((key && this.batchSources.get(dim)) || like), this.constI64([0], [])]);
      const range = this.op('Range', [this.constI64([0], []), n, this.constI64([1], [])]);
      b = this.unsqueeze(range, ones.map((_, i) => i + 1));
      if (key) this.batchCache.set(key, b);
    }
    return b;
  }

  /** Record that gradient tensor `dx` is a max-pool scatter (see PoolScatter). */
  noteScatter(dx: string, s: PoolScatter): void {
    this.scatters.set(dx, s);
  }

  scatterOf(dx: string): PoolScatter | undefined {
    return this.scatters.get(dx);
  }

  /**
   * Record that gradient tensor `dx` is `small` expanded to dx's shape (GlobalAveragePool), so that an
   * elementwise consumer that broadcasts (a ReLU's Where) can read `small` and skip the expanded copy.
   */
  noteBroadcast(dx: string, small: string): void {
    this.broadcasts.set(dx, small);
  }

  broadcastOf(dx: string): string | undefined {
    return this.broadcasts.get(dx);
  }

  reduceSum(x: string, axes: readonly number[], keepdims = true): string {
    if (this.opset >= 13) return this.op('ReduceSum', [x, this.constI64([...axes])], { keepdims: keepdims ? 1 : 0 });
    return this.op('ReduceSum', [x], { axes: [...axes], keepdims: keepdims ? 1 : 0 });
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    if (this.opset >= 13) return this.op('Unsqueeze', [x, this.constI64([...axes])]);
    return this.op('Unsqueeze', [x], { axes: [...axes] });
  }

  /** Slice along `axes`; an end of 'end' runs to the end of the axis. */
  slice(x: string, starts: readonly number[], ends: readonly (number | 'end')[], axes: readonly number[], steps?: readonly number[]): string {
    const endVals = ends.map((e) => (e === 'end' ? Number.MAX_SAFE_INTEGER : e));
    const inputs = [x, this.constI64([...starts]), this.constI64(endVals), this.constI64([...axes])];
    if (steps) inputs.push(this.constI64([...steps]));
    return this.op('Slice', inputs);
  }

  cast(x: string, to: number = DataType.FLOAT): string {
    return this.op('Cast', [x], { to });
  }

  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }

  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }

  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }

  /** Where(cond, a, 0). */
  maskZero(cond: string, a: string): string {
    return this.op('Where', [cond, a, this.constF([0])]);
  }

  /** Reshape `x` to the runtime shape of `like`. */
  reshapeLike(x: string, like: string): string {
    return this.op('Reshape', [x, this.shapeOf(like)]);
  }
}
