/**
 * Types of the perturbation engine and of its shard protocol.
 *
 * A perturbation method supplies only a sample generator and an accumulation (STYLE.md §2): the engine does
 * batching, seeding, sharding and merging. Sample i is a pure function of (input, params, seed, i), and
 * every statistic a method accumulates is a float64 sum over samples, so a plan's sample range can be split
 * into any shards whose partial sums add up to the single-shard answer.
 *
 * Wire format (plain JSON): `ShardSpec` (format "xai-shard/1") goes to an executor; `ShardPartial`
 * (format "xai-partial/1") comes back, its statistics as base64 of little-endian float64 bytes (codec.ts).
 */
import { z } from 'zod';
import type { Explanation } from '../explainer.js';
import type { LoadedModel } from '../models/loaded-model.js';
import type { ParamSpec, ParamValues } from '../params.js';
import type { Tensor } from '../tensor.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** What a method's plan step sees: the request, plus a forward pass for plan-time scores. */
export interface PlanInput {
  readonly model: LoadedModel;
  readonly input: Tensor;
  readonly target: number;
  readonly layer?: string;
  readonly params: ParamValues;
  readonly seed: number;
  /** The attribution map (h x w) an evaluation method scores; absent for explainers. */
  readonly attribution?: Float32Array;
  /** Run the model on a batch; returns the rows of its output as the method asked (scores()). */
  readonly forward: (batch: Tensor) => Promise<Float32Array>;
}

export interface PlanResult {
  /** Number of samples (forward passes) of the whole explanation. */
  readonly total: number;
  /** Plan-time context every shard and the merge need (e.g. the unperturbed score, the classes to map). */
  readonly shared: Json;
  /** Forward passes the plan itself ran (single images). */
  readonly passes: number;
}

/** What a shard (and the merge) prepares its deterministic state from. */
export interface ShardContext {
  readonly model: LoadedModel;
  readonly input: Tensor;
  readonly target: number;
  readonly layer?: string;
  readonly params: ParamValues;
  readonly seed: number;
  readonly total: number;
  readonly shared: Json;
}

export type Stats = Record<string, Float64Array>;

/** What a method's compose() builds inputs from (all C x H x W, float32; compose.ts). */
export interface ComposeImages {
  /** x - fill. */
  readonly delta: Float32Array;
  readonly fill: Float32Array;
  /** The input where keep is 1: fill + 1 * delta, rounded as composeJs. */
  readonly kept: Float32Array;
  /** The input where keep is 0: fill + 0 * delta, rounded as composeJs. */
  readonly hidden: Float32Array;
}

/**
 * One perturbation method as the engine sees it. `S` is the per-shard state (windows, superpixels, fill
 * image), `B` what generate() hands to accumulate() for one batch. The keep buffer is valid until the next
 * generate() call, so accumulate() may read it (e.g. RISE's masks).
 */
export interface PerturbationMethod<S = unknown, B = unknown> {
  readonly name: string;
  /** Parameter schema (the same array as the explainer spec's): shard specs are re-validated against it. */
  readonly params: readonly ParamSpec[];
  /** Scores fed to accumulate(): the model's raw output, or class probabilities (softmax of logits). */
  scores(params: ParamValues): 'raw' | 'probabilities';
  plan(p: PlanInput): Promise<PlanResult>;
  prepare(c: ShardContext): S | Promise<S>;
  /** Name and length of every statistic (float64 sums, zero-initialised by the engine). */
  statistics(state: S): Record<string, number>;
  /** What hidden pixels become (C x H x W). */
  fill(state: S): Float32Array;
  /** Channels of a keep mask: 1 (one mask for all channels) or C. */
  keepChannels(state: S): number;
  /**
   * Write the keep masks of samples [start, start+count) into `keep` (count x keepChannels x H x W): sample i's
   * input is x * keep + fill * (1 - keep) (compose.ts).
   */
  generate(state: S, start: number, count: number, keep: Float32Array): B;
  /**
   * Optional, for composing in the graph: keep masks of rank r as products left_i right_i (H x r times r x W,
   * one keep channel); returns r, or 0 when not factored. The composing graph multiplies them out (compose.ts),
   * so JavaScript writes (H + W) r values per sample instead of H W. RISE: its s x s grid is interpolated along
   * y by the row weights of its shift (left) and along x (right). The product equals generate()'s masks up to
   * the float32 rounding of the factors.
   */
  keepRank?(state: S): number;
  /** With keepRank: write the factors of samples [start, start+count) (count x H x r, count x r x W) and return what generate() would. */
  generateFactors?(state: S, start: number, count: number, left: Float32Array, right: Float32Array): B;
  /**
   * Optional fast path of the JavaScript compose (small inputs, test doubles): write the composed inputs of samples
   * [start, start+count) straight into `out` (count x C x H x W) and return what generate() would. Must give
   * exactly what composeJs gives on generate()'s keep masks (`images` holds the precomputed pieces); the
   * engine then skips generate() and composeJs. Not called on the graph-compose path.
   */
  compose?(state: S, start: number, count: number, images: ComposeImages, out: Float32Array): B;
  /**
   * Set when compose() rewrites only what changed since its previous call on the same buffer (occlusion: the
   * previous and the new window), which costs less than the graph's Mul and Add at any input size: the engine
   * then composes in JavaScript even for large inputs. The engine passes one batch buffer per shard (its last
   * batch a view of it); compose() must still write every value when handed any other buffer.
   */
  readonly incrementalCompose?: boolean;
  /** Add those samples' contribution; `scores` is count x classes. */
  accumulate(state: S, batch: B, start: number, count: number, scores: Float32Array, classes: number, stats: Stats): void;
  /**
   * Turn the merged sums into the explanation (the engine fills in `passes`). `state` may be the one a shard
   * ran with, so finalize reads only what prepare() set up, never per-batch scratch.
   */
  finalize(state: S, stats: Stats): Omit<Explanation, 'passes'> | Promise<Omit<Explanation, 'passes'>>;
}

const paramValue = z.union([z.number(), z.boolean(), z.string()]);
const json: z.ZodType<Json> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]));

export const shardSpecSchema = z
  .object({
    format: z.literal('xai-shard/1'),
    /** Identifies the plan: SHA-256 of everything below except index/count/start/end/batchSize. */
    planId: z.string().regex(/^[0-9a-f]{64}$/),
    method: z.string().min(1),
    model: z.string().min(1),
    input: z.object({ digest: z.string().regex(/^[0-9a-f]{64}$/), shape: z.array(z.number().int().min(1)).length(4) }).strict(),
    target: z.number().int().min(0),
    layer: z.string().min(1).optional(),
    params: z.record(z.string(), paramValue),
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    batchSize: z.number().int().min(1).max(256),
    total: z.number().int().min(1),
    shared: json,
    /** This shard: number `index` of `count`, samples [start, end). */
    index: z.number().int().min(0),
    count: z.number().int().min(1),
    start: z.number().int().min(0),
    end: z.number().int().min(1),
  })
  .strict()
  .refine((s) => s.start < s.end && s.end <= s.total && s.index < s.count, { message: 'needs start < end <= total and index < count' });

/** One shard of a plan: plain JSON, self-contained except for the model and the input tensor. */
export type ShardSpec = z.infer<typeof shardSpecSchema>;

export const partialSchema = z
  .object({
    format: z.literal('xai-partial/1'),
    planId: z.string().regex(/^[0-9a-f]{64}$/),
    method: z.string().min(1),
    index: z.number().int().min(0),
    start: z.number().int().min(0),
    end: z.number().int().min(1),
    /** Forward passes this shard ran (= end - start). */
    passes: z.number().int().min(0),
    stats: z.record(z.string(), z.object({ length: z.number().int().min(0), f64: z.string() }).strict()),
    elapsedMs: z.number().min(0),
    backend: z.string().optional(),
  })
  .strict();

/** The sufficient statistic of one shard: float64 sums over its samples. */
export type ShardPartial = z.infer<typeof partialSchema>;

/** What planShards returns: the shards plus what the merge needs to check it has all of them. */
export interface ShardPlan {
  readonly planId: string;
  readonly method: string;
  readonly total: number;
  /** Forward passes the plan step ran. */
  readonly passes: number;
  readonly shards: ShardSpec[];
}
