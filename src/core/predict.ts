/**
 * Classification: run a model on a preprocessed batch and report logits, probabilities and the top classes.
 */
import type { LoadedModel } from './models/loaded-model.js';
import { batchRow, softmax, topK, type Tensor } from './tensor.js';

export interface ClassScore {
  index: number;
  label: string;
  probability: number;
  score: number;
}

export interface Prediction {
  /** Raw model output for this row (logits, or probabilities when the manifest says so). */
  scores: Float32Array;
  probabilities: Float32Array;
  top: ClassScore[];
}

/** Forward pass of `input` ([N,C,H,W]); returns the output tensor ([N, classes]). */
export async function forward(model: LoadedModel, input: Tensor): Promise<Tensor> {
  const session = await model.session();
  const out = await session.run({ [model.manifest.input.name]: input }, [model.manifest.output.name]);
  return out[model.manifest.output.name];
}

/**
 * Predict every row of a batch.
 * @example const [p] = await predict(model, tensor); console.log(p.top[0].label)
 */
export async function predict(model: LoadedModel, input: Tensor, k = 5): Promise<Prediction[]> {
  const out = await forward(model, input);
  const n = input.shape[0];
  const preds: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const scores = batchRow(out, i).data;
    const probabilities = model.manifest.output.kind === 'logits' ? softmax(scores) : new Float32Array(scores);
    const top = topK(probabilities, k).map((index) => ({ index, label: model.label(index), probability: probabilities[index], score: scores[index] }));
    preds.push({ scores: new Float32Array(scores), probabilities, top });
  }
  return preds;
}
