/**
 * Backward rules as data (after Zennit's rules and composites). A Rule turns the gradients arriving at a
 * node's outputs into gradients for its inputs by emitting ONNX nodes; it sees the forward node, its
 * attributes, constant inputs (weights), static shapes and the forward tensors (activations), so modified
 * rules (guided, deconvnet, and LRP's stabilised division, modified weights) fit the same interface.
 * A Composite is an ordered list of (matcher, rule): the first entry whose matcher accepts a node wins.
 * Graph rewrites that must happen before (folding BatchNorm into the preceding Conv) are Canonizers: pure
 * functions from model to model, applied by the builder before it walks the graph.
 */
import { UnsupportedError } from '../errors.js';
import type { GraphInfo } from '../onnx/graph.js';
import { describeNode } from '../onnx/graph.js';
import type { Dim, ModelProto, NodeProto } from '../onnx/model.js';
import type { Emitter } from './emitter.js';

export interface BackwardContext {
  /** The forward node; its inputs and outputs are tensors of the forward pass, available to emitted nodes. */
  readonly node: NodeProto;
  readonly graph: GraphInfo;
  readonly emit: Emitter;
  /** Name of the gradient arriving at each output; undefined when none reaches it. */
  readonly gradOutputs: readonly (string | undefined)[];
  /** Whether each input needs a gradient (it depends on the tensor being explained). */
  readonly needsGrad: readonly boolean[];
  /** Static shape of a tensor; fails with an error naming the node when it cannot be inferred. */
  shape(name: string): Dim[];
  /** Static numeric shape (no symbols), or an error naming the node. */
  staticShape(name: string, from?: number): number[];
  /** The graph may use MaxUnpool and MaxPool's Indices output (not WebGPU); see GradientGraphOptions. */
  readonly maxPoolIndices: boolean;
  /** Throw UnsupportedError naming this node. */
  fail(message: string): never;
}

export interface Rule {
  /** Short name, part of the cache key of built graphs (e.g. "gradient", "guided", "deconvnet"). */
  readonly name: string;
  /** Gradients for each input (undefined where needsGrad is false or nothing flows). */
  backward(ctx: BackwardContext): (string | undefined)[];
}

export type NodeMatcher = (node: NodeProto, graph: GraphInfo) => boolean;

export interface CompositeEntry {
  readonly match: NodeMatcher;
  readonly rule: Rule;
}

/**
 * A canonizer rewrites the model before the walk (e.g. fold BatchNorm into Conv for LRP). Pure. Tensors in
 * `keep` (the input, the logits and every tensor the caller asked for) must survive under their names.
 */
export type Canonizer = (model: ModelProto, keep: ReadonlySet<string>) => ModelProto;

export interface Composite {
  /** Identifies the rule set in cache keys; two composites with the same name must behave the same. */
  readonly name: string;
  readonly entries: readonly CompositeEntry[];
  readonly canonizers?: readonly Canonizer[];
}

/** Matches nodes of the given op types (default ONNX domain). */
export function opTypes(...types: string[]): NodeMatcher {
  const set = new Set(types);
  return (n) => set.has(n.opType) && (n.domain === '' || n.domain === 'ai.onnx');
}

/** Matches nodes by name (layer positions, e.g. "the first Conv" for LRP's first-layer rules). */
export function nodeNamed(...names: string[]): NodeMatcher {
  const set = new Set(names);
  return (n) => set.has(n.name);
}

/** The rule the composite assigns to a node, or undefined. */
export function ruleFor(c: Composite, node: NodeProto, graph: GraphInfo): Rule | undefined {
  for (const e of c.entries) if (e.match(node, graph)) return e.rule;
  return undefined;
}

/** Make a BackwardContext-bound failure helper (used by the builder). */
export function unsupportedAt(node: NodeProto, message: string): UnsupportedError {
  return new UnsupportedError(`${describeNode(node)}: ${message}`, { param: 'model', code: 'unsupported_op' });
}
