/**
 * The backward-graph builder: reads an ONNX classifier and writes a second ONNX model that, in one run,
 * returns the logits, the gradient of a chosen scalar with respect to the input and, on request, the
 * activations and gradients of named inner tensors. The backward pass is ordinary ONNX ops emitted by rules
 * (./rule.ts, ./composites.ts), so any onnxruntime (native, WASM, WebGPU) runs it like any model.
 *
 * The scalar is chosen per row by a float input "xai_target" (a one-hot mask, or any weights): for the logit
 * scalar (default) it has shape [batch, classes] and the scalar is sum(mask * logits); likewise for softmax
 * probabilities and log-probabilities; for a channel of an inner tensor A [N,C,H,W] the mask is [batch, C] and
 * the scalar is sum_c mask_c * mean_hw(A_c); for single units the mask has A's shape. One graph serves every
 * class, and each row of a batch carries its own target.
 */
import { clone } from '@bufbuild/protobuf';
import { InvalidInputError, UnsupportedError } from '../errors.js';
import { describeNode, GraphInfo } from '../onnx/graph.js';
import { makeNode, makeValueInfo, parseModel, serializeModel, type Dim, type ModelProto, type NodeProto } from '../onnx/model.js';
import { ModelProtoSchema } from '../onnx/proto/onnx_pb.js';
import { GRADIENT } from './composites.js';
import { Emitter } from './emitter.js';
import type { BackwardContext, Composite } from './rule.js';
import { ruleFor, unsupportedAt } from './rule.js';

/** What scalar the gradient is taken of. */
export type ScalarSpec =
  | { readonly kind: 'logit' }
  | { readonly kind: 'probability' }
  | { readonly kind: 'log-probability' }
  /** Mean over space of channels of an inner tensor (Zeiler & Fergus style "what drives this channel"). */
  | { readonly kind: 'channel'; readonly tensor: string }
  /** Single units of an inner tensor (mask of the tensor's shape). */
  | { readonly kind: 'unit'; readonly tensor: string };

export interface GradientGraphOptions {
  /** Rule set; default the exact gradient. */
  readonly rules?: Composite;
  readonly scalar?: ScalarSpec;
  /** Graph input to differentiate with respect to; default the first one. */
  readonly input?: string;
  /** Model output holding the logits; default the first one. */
  readonly output?: string;
  /** Inner tensors whose activation and gradient become outputs. */
  readonly tensors?: readonly string[];
  /** Also compute the input gradient (default true). CAM methods turn it off to stop at their layer. */
  readonly inputGradient?: boolean;
  /**
   * Route non-overlapping max-pool gradients with MaxUnpool (indices from prefix-rectangle MaxPools, or MaxPool's
   * Indices output; see rules/maxpool.ts), which onnxruntime's CPU and WASM EPs run several times faster than
   * the portable form; the WebGPU EP runs neither MaxUnpool nor Indices. Default false: only ops every EP runs.
   * gradientSession turns it on for runtimes whose backend is not WebGPU.
   */
  readonly maxPoolIndices?: boolean;
}

/** Fixed names of the built graph's extra input and outputs. */
export const GRAD_IO = {
  target: 'xai_target',
  inputGrad: 'xai_grad_input',
  tensorGrad: (t: string): string => `xai_grad:${t}`,
} as const;

export interface GradientGraph {
  readonly bytes: Uint8Array;
  readonly model: ModelProto;
  readonly input: string;
  /** The logits output, when the graph returns it (logit / probability scalars). */
  readonly logits?: string;
  /** Shape of the target mask input (dim 0 is the batch). */
  readonly targetDims: readonly Dim[];
  /** Output names: input gradient and, per requested tensor, its activation and gradient. */
  readonly outputs: { readonly inputGrad?: string; readonly tensors: Record<string, { activation: string; gradient: string }> };
}

/** Cache key of a built graph for LoadedModel.variant(). */
export function gradientGraphKey(o: GradientGraphOptions = {}): string {
  const s = o.scalar ?? { kind: 'logit' };
  const scalar = 'tensor' in s ? `${s.kind}@${s.tensor}` : s.kind;
  return `grad|${(o.rules ?? GRADIENT).name}|${scalar}|in=${o.input ?? ''}|out=${o.output ?? ''}|x=${o.inputGradient ?? true}|idx=${o.maxPoolIndices ?? false}|t=${(o.tensors ?? []).join(',')}`;
}

/**
 * Build the gradient graph of an ONNX classifier.
 * Simonyan, Vedaldi & Zisserman (2014). Deep Inside Convolutional Networks (gradients of a class score).
 * @example const g = buildGradientGraph(bytes, { rules: GUIDED, tensors: ['/conv2/Conv_output_0'] });
 *          // run g.bytes with feeds { input, xai_target: one-hot [1, 10] } -> logits, xai_grad_input, ...
 */
export function buildGradientGraph(source: Uint8Array | ModelProto, options: GradientGraphOptions = {}): GradientGraph {
  const rules = options.rules ?? GRADIENT;
  let model = source instanceof Uint8Array ? parseModel(source) : clone(ModelProtoSchema, source);
  const scalar = options.scalar ?? { kind: 'logit' };
  const tensors = [...new Set(options.tensors ?? [])];
  const keep = new Set([...tensors, ...model.graph!.input.map((v) => v.name), ...model.graph!.output.map((v) => v.name)]);
  if ('tensor' in scalar) keep.add(scalar.tensor);
  for (const c of rules.canonizers ?? []) model = c(model, keep);
  const graph = model.graph!;
  const wantInputGrad = options.inputGradient ?? true;

  const initNames = new Set(graph.initializer.map((t) => t.name));
  const realInputs = graph.input.map((v) => v.name).filter((n) => !initNames.has(n));
  const input = options.input ?? realInputs[0];
  if (!input || !realInputs.includes(input)) {
    throw new InvalidInputError(`input "${options.input}" is not an input of the model; inputs: ${realInputs.join(', ')}`, { param: 'input' });
  }
  const outputNames = graph.output.map((v) => v.name);
  const logits = options.output ?? outputNames[0];
  if (!outputNames.includes(logits)) {
    throw new InvalidInputError(`output "${options.output}" is not an output of the model; outputs: ${outputNames.join(', ')}`, { param: 'output' });
  }

  // Probability scalars: append the normalisation to the forward graph so that its exact rule applies.
  let seedTensor = logits;
  if (scalar.kind === 'probability' || scalar.kind === 'log-probability') {
    seedTensor = scalar.kind === 'probability' ? 'xai_probabilities' : 'xai_log_probabilities';
    graph.node.push(makeNode(scalar.kind === 'probability' ? 'Softmax' : 'LogSoftmax', [logits], [seedTensor], { axis: 1 }, 'xai/normalise'));
  } else if (scalar.kind === 'channel' || scalar.kind === 'unit') {
    seedTensor = scalar.tensor;
  }

  const info = new GraphInfo(model);
  if (info.opset < 11) throw new UnsupportedError(`the model uses opset ${info.opset}; the gradient builder needs opset 11 or later (re-export or convert the model)`, { param: 'model' });
  const known = (t: string): boolean => info.producer.has(t) || t === input;
  for (const t of [...tensors, seedTensor]) {
    if (!known(t)) throw new InvalidInputError(`tensor "${t}" is not in the model graph`, { param: 'layer', code: 'unknown_tensor' });
  }

  // Tensors that depend on the sources (need gradients), and tensors the seed depends on.
  const sources = new Set<string>(wantInputGrad ? [input, ...tensors] : tensors);
  if (sources.size === 0) throw new InvalidInputError('nothing to differentiate: inputGradient is false and no tensors are requested', { param: 'tensors' });
  const requires = new Set(sources);
  for (const n of info.nodes) if (n.input.some((i) => requires.has(i))) for (const o of n.output) if (o) requires.add(o);
  const ancestors = dependencies(info.nodes, [seedTensor]);
  for (const t of sources) {
    if (!ancestors.has(t) && t !== seedTensor) {
      throw new InvalidInputError(`the target (${seedTensor}) does not depend on tensor "${t}"`, { param: 'layer', code: 'no_gradient_path' });
    }
  }
  const path = info.nodes.filter((n) => n.output.some((o) => ancestors.has(o)) && n.input.some((x) => requires.has(x)));

  // Every node on the path needs a rule; report all that lack one before building anything.
  const missing = path.filter((n) => !ruleFor(rules, n, info));
  if (missing.length) {
    const list = missing.slice(0, 10).map(describeNode).join('; ');
    throw new UnsupportedError(
      `no backward rule (rule set "${rules.name}") for ${missing.length} node(s): ${list}${missing.length > 10 ? '; ...' : ''}`,
      { param: 'model', code: 'unsupported_op' },
    );
  }

  const emit = new Emitter(info.opset);
  emit.setBatchSource(info.shape(input)?.[0], input);
  const seedShape = info.shape(seedTensor);
  if (!seedShape) throw new UnsupportedError(`cannot infer the shape of "${seedTensor}"`, { param: 'model' });
  let targetDims: Dim[];
  let seed: string;
  if (scalar.kind === 'channel') {
    if (seedShape.length < 3) throw new InvalidInputError(`channel targets need a tensor with spatial dims; "${seedTensor}" has shape [${seedShape.join(', ')}]`, { param: 'layer' });
    const spatial = seedShape.slice(2);
    if (!spatial.every((d): d is number => typeof d === 'number')) throw new UnsupportedError(`"${seedTensor}" needs static spatial dims`, { param: 'layer' });
    targetDims = seedShape.slice(0, 2);
    const scaled = emit.mul(GRAD_IO.target, emit.constF([1 / spatial.reduce((a, b) => a * b, 1)]));
    seed = emit.op('Expand', [emit.unsqueeze(scaled, spatial.map((_, i) => i + 2)), emit.shapeOf(seedTensor)]);
  } else {
    targetDims = seedShape;
    seed = GRAD_IO.target;
  }

  const contributions = new Map<string, string[]>([[seedTensor, [seed]]]);
  const summed = new Map<string, string>();
  const gradOf = (t: string): string | undefined => {
    const c = contributions.get(t);
    if (!c) return undefined;
    let s = summed.get(t);
    if (!s) {
      s = c.length === 1 ? c[0] : emit.op('Sum', c);
      summed.set(t, s);
    }
    return s;
  };

  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i];
    const gradOutputs = node.output.map((o) => (o ? gradOf(o) : undefined));
    if (gradOutputs.every((g) => g === undefined)) continue;
    const rule = ruleFor(rules, node, info)!;
    const ctx = makeContext(node, info, emit, gradOutputs, node.input.map((x) => !!x && requires.has(x)), options.maxPoolIndices ?? false);
    const grads = rule.backward(ctx);
    node.input.forEach((x, j) => {
      const g = grads[j];
      if (!x || !g || !requires.has(x)) return;
      if (summed.has(x)) throw new Error(`internal: gradient of "${x}" used before all contributions arrived`);
      const list = contributions.get(x);
      if (list) list.push(g);
      else contributions.set(x, [g]);
    });
  }

  const outputs: { inputGrad?: string; tensors: Record<string, { activation: string; gradient: string }> } = { tensors: {} };
  const newOutputs = [];
  const includeLogits = scalar.kind === 'logit' || scalar.kind === 'probability' || scalar.kind === 'log-probability';
  if (includeLogits) newOutputs.push(graph.output.find((v) => v.name === logits)!);
  const gradOutput = (t: string, name: string): void => {
    const g = gradOf(t);
    if (!g) throw new InvalidInputError(`no gradient reaches tensor "${t}" from the target`, { param: 'layer', code: 'no_gradient_path' });
    emit.op('Identity', [g], {}, name);
    newOutputs.push(makeValueInfo(name));
  };
  if (wantInputGrad) {
    gradOutput(input, GRAD_IO.inputGrad);
    outputs.inputGrad = GRAD_IO.inputGrad;
  }
  for (const t of tensors) {
    if (t !== input && !(includeLogits && t === logits)) newOutputs.push(makeValueInfo(t));
    gradOutput(t, GRAD_IO.tensorGrad(t));
    outputs.tensors[t] = { activation: t, gradient: GRAD_IO.tensorGrad(t) };
  }

  // Nodes nothing reads (a max-pool scatter that a ReLU re-emitted with a masked gradient) would still run.
  const live = dependencies(emit.nodes, newOutputs.map((v) => v.name));
  graph.node.push(...forwardOnlyLast(emit.nodes.filter((n) => n.output.some((o) => live.has(o)))));
  // Constants a rule made but did not use (e.g. modified weights of an unused branch) would make ORT warn.
  graph.initializer.push(...emit.initializers.filter((t) => live.has(t.name)));
  graph.input.push(makeValueInfo(GRAD_IO.target, 1, targetDims));
  graph.output = newOutputs;
  return { bytes: serializeModel(model), model, input, logits: includeLogits ? logits : undefined, targetDims, outputs };
}

/** The tensors `roots` depend on through `nodes` (topologically sorted), roots included. */
function dependencies(nodes: readonly NodeProto[], roots: Iterable<string>): Set<string> {
  const live = new Set(roots);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    if (n.output.some((o) => live.has(o))) for (const x of n.input) if (x) live.add(x);
  }
  return live;
}

/**
 * The emitted nodes in an order that makes onnxruntime compute what depends only on forward tensors (ReLU masks,
 * max-pool indices) right after those tensors, while they are still in cache, not when the backward pass reaches
 * them: ORT's default execution order is a depth-first walk from the outputs that visits a node's inputs in
 * decreasing node index, so each such node goes right before its first consumer (the list stays topologically
 * sorted), above the consumer's other inputs.
 */
function forwardOnlyLast(nodes: readonly NodeProto[]): NodeProto[] {
  const late = new Set<string>([GRAD_IO.target]);
  const producer = new Map<string, NodeProto>();
  const pending = new Set<NodeProto>();
  for (const n of nodes) {
    if (n.input.some((x) => late.has(x))) for (const o of n.output) late.add(o);
    else pending.add(n);
    for (const o of n.output) producer.set(o, n);
  }
  const out: NodeProto[] = [];
  const place = (n: NodeProto): void => {
    for (const x of n.input) {
      const p = producer.get(x);
      if (p && pending.delete(p)) place(p);
    }
    out.push(n);
  };
  for (const n of nodes) if (!pending.has(n)) place(n);
  // Forward-only nodes no backward node reads (outputs of their own) keep their place at the end.
  out.push(...nodes.filter((n) => pending.has(n)));
  return out;
}

function makeContext(node: NodeProto, graph: GraphInfo, emit: Emitter, gradOutputs: (string | undefined)[], needsGrad: boolean[], maxPoolIndices: boolean): BackwardContext {
  const fail = (message: string): never => {
    throw unsupportedAt(node, message);
  };
  const shape = (name: string): Dim[] => graph.shape(name) ?? fail(`cannot infer the static shape of "${name}"`);
  return {
    node,
    graph,
    emit,
    gradOutputs,
    needsGrad,
    maxPoolIndices,
    shape,
    staticShape(name, from = 0) {
      const s = shape(name).slice(from);
      if (!s.every((d): d is number => typeof d === 'number')) fail(`needs static dims for "${name}", got [${s.join(', ')}]`);
      return s as number[];
    },
    fail,
  };
}
