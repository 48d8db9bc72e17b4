/**
 * Expose inner tensors of a model as extra graph outputs (forward taps for CAM and unit visualisation), so a
 * forward pass returns their activations without building a backward graph.
 */
import { InvalidInputError } from '../errors.js';
import { makeValueInfo, parseModel, serializeModel } from './model.js';

/** @example const bytes = exposeTensors(model.bytes, ['/conv2/Conv_output_0']); */
export function exposeTensors(bytes: Uint8Array, names: readonly string[]): Uint8Array {
  const m = parseModel(bytes);
  const g = m.graph!;
  const produced = new Set(g.node.flatMap((n) => n.output));
  for (const t of names) {
    if (!produced.has(t)) throw new InvalidInputError(`tensor "${t}" is not in the model graph`, { param: 'layer', code: 'unknown_tensor' });
    if (!g.output.some((o) => o.name === t)) g.output.push(makeValueInfo(t));
  }
  return serializeModel(m);
}
