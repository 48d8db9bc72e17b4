/**
 * The contract every explanation method implements. A method is a spec (name, family, parameters as data,
 * the paper it implements) plus one async function from an ExplainRequest to an Explanation. The table of
 * all specs lives in src/explainers/index.ts.
 */
import type { LoadedModel } from './models/loaded-model.js';
import type { ParamSpec, ParamValues } from './params.js';
import type { Tensor } from './tensor.js';

export type MethodFamily = 'perturbation' | 'gradient' | 'activation';

export interface ExplainRequest {
  readonly model: LoadedModel;
  /** Preprocessed input, batch 1, the model's input shape. */
  readonly input: Tensor;
  /** Class index whose score is explained. */
  readonly target: number;
  /** ONNX tensor name of an inner layer (CAM and layer methods); methods default it from the manifest. */
  readonly layer?: string;
  /** Validated method parameters with defaults filled (resolveParams). */
  readonly params: ParamValues;
  /** Every random choice flows from this seed. */
  readonly seed: number;
  /** Forward passes per model run; the one batching knob. */
  readonly batchSize: number;
  /** Called as work progresses (done <= total, in the method's own units, e.g. samples). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface Explanation {
  /** Raw attribution before any channel reduction or normalisation: input-shaped, or layer-shaped for CAM. */
  readonly attribution: Tensor;
  /** The attribution reduced to one map at input resolution [height x width], row-major. */
  readonly map: Float32Array;
  readonly width: number;
  readonly height: number;
  /** True when the map has meaningful signs (render with a diverging colormap). */
  readonly signed: boolean;
  /** Method-specific results, e.g. Integrated Gradients' completeness gap. JSON-serialisable. */
  readonly extras?: Record<string, unknown>;
  /** Number of single-image forward (or forward+backward) passes the method ran. */
  readonly passes: number;
}

export interface ExplainerSpec {
  readonly name: string;
  readonly title: string;
  readonly family: MethodFamily;
  /** Needs the backward graph built by the gradient builder. */
  readonly needsGradients: boolean;
  /** Its sampling can be split into shards and merged. */
  readonly shardable: boolean;
  /** The paper it implements: "Authors (year). Title." */
  readonly paper: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  readonly explain: (req: ExplainRequest) => Promise<Explanation>;
}
