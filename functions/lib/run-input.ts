/**
 * Turns a validated request input into the model's input tensor (decoding and preprocessing an image, or
 * checking a ready tensor's shape against the model).
 */
import { checkInputTensor } from '../../src/core/explain.js';
import { decodeImage, imageToTensor, type RasterImage } from '../../src/core/image/index.js';
import type { LoadedModel } from '../../src/core/models/loaded-model.js';
import type { Tensor } from '../../src/core/tensor.js';
import type { RequestInput } from './request-input.js';

export function inputTensor(model: LoadedModel, input: RequestInput): { tensor: Tensor; image?: RasterImage } {
  if (input.tensor) {
    const t = { data: input.tensor.data, shape: input.tensor.shape };
    checkInputTensor(model, t);
    return { tensor: t };
  }
  const image = decodeImage(input.imageBytes!);
  return { tensor: imageToTensor(image, model.manifest.preprocessing), image };
}
