/**
 * Image <-> model tensor, as the manifest's `preprocessing` says: resize, channel order, scale, mean/std.
 * The forward direction mirrors torchvision's ToTensor + Normalize applied after F.interpolate on floats; the
 * inverse turns a (possibly perturbed) input tensor back into a picture for display.
 */
import { InvalidInputError } from '../errors.js';
import type { Preprocessing } from '../models/manifest.js';
import type { Tensor } from '../tensor.js';
import { checkOutputSize } from './limits.js';
import { checkRaster, isGraySource, LUMA_601, type RasterImage } from './raster.js';
import { resample } from './resample.js';
import { resizePlan } from './resize.js';

/** Source RGBA channel per output channel, for colour orders; gray is computed. */
const CHANNEL_ORDER = { rgb: [0, 1, 2], bgr: [2, 1, 0] } as const;

function channelCount(p: Preprocessing): 1 | 3 {
  return p.channels === 'gray' ? 1 : 3;
}

/** mean/std per output channel; a single value applies to every channel. */
function perChannel(p: Preprocessing, key: 'mean' | 'std', c: number): number[] {
  const v = p[key];
  if (v.length !== 1 && v.length !== c) {
    throw new InvalidInputError(`preprocessing.${key} has ${v.length} values; give 1 or ${c} for channels "${p.channels}"`, {
      param: `preprocessing.${key}`,
    });
  }
  if (key === 'std' && v.some((s) => !(s > 0))) {
    throw new InvalidInputError(`preprocessing.std must be positive, got [${v.join(', ')}]`, { param: 'preprocessing.std' });
  }
  return Array.from({ length: c }, (_, i) => (v.length === 1 ? v[0] : v[i]));
}

/**
 * Turn an image into the model's input tensor [1, C, H, W] (float32, NCHW), where [H, W] = p.size:
 * 1. resize by p.resize ('bilinear', 'area' or 'resize-crop', see resizePlan), on unrounded values;
 * 2. pick channels: 'rgb' or 'bgr' order, or 'gray' = the value itself for a gray source, else BT.601 luma
 *    0.299 R + 0.587 G + 0.114 B (unrounded; PIL's convert('L') rounds to an integer, within 0.5 / 255);
 * 3. x = byte / 255 * p.scale, then (x - mean[c]) / std[c].
 * Alpha is ignored: the stored colour of a pixel is used whatever its alpha (as PIL's convert('RGB') does), so
 * fully transparent pixels count with whatever colour the encoder left in them.
 * @example imageToTensor(decodeImage(bytes), manifest.preprocessing) // { shape: [1, 3, 224, 224], data }
 */
export function imageToTensor(img: RasterImage, p: Preprocessing): Tensor {
  checkRaster(img);
  const [outH, outW] = p.size;
  checkOutputSize(outW, outH, 'preprocessing.size');
  const c = channelCount(p);
  const mean = perChannel(p, 'mean', c);
  const std = perChannel(p, 'std', c);
  if (!(p.scale > 0)) throw new InvalidInputError(`preprocessing.scale must be positive, got ${p.scale}`, { param: 'preprocessing.scale' });
  const plan = resizePlan(p.resize, img.width, img.height, outW, outH);
  const rgba = new Float64Array(outW * outH * 4);
  resample(img.data, img.width, img.height, 4, plan.x, plan.y, rgba);

  const plane = outW * outH;
  const data = new Float32Array(c * plane);
  const k = p.scale / 255;
  const graySource = isGraySource(img);
  for (let i = 0; i < plane; i++) {
    const r = rgba[i * 4];
    const g = rgba[i * 4 + 1];
    const b = rgba[i * 4 + 2];
    if (p.channels === 'gray') {
      const y = graySource ? r : LUMA_601[0] * r + LUMA_601[1] * g + LUMA_601[2] * b;
      data[i] = (y * k - mean[0]) / std[0];
    } else {
      const order = CHANNEL_ORDER[p.channels];
      for (let ch = 0; ch < 3; ch++) data[ch * plane + i] = (rgba[i * 4 + order[ch]] * k - mean[ch]) / std[ch];
    }
  }
  return { data, shape: [1, c, outH, outW] };
}

/**
 * The inverse of imageToTensor's value mapping, for display: byte = (x * std[c] + mean[c]) / scale * 255,
 * rounded and clamped to 0..255; 'bgr' is put back in RGB order; gray becomes R = G = B (sourceChannels 1).
 * Takes [1, C, H, W] or [C, H, W] with C matching p.channels. Alpha is 255. Does not undo the resize.
 * @example encodePng(tensorToImage(perturbedInput, manifest.preprocessing))
 */
export function tensorToImage(t: Tensor, p: Preprocessing): RasterImage {
  const c = channelCount(p);
  const shape = t.shape;
  const ok = (shape.length === 4 && shape[0] === 1 && shape[1] === c) || (shape.length === 3 && shape[0] === c);
  if (!ok) {
    throw new InvalidInputError(`tensor shape [${shape.join(', ')}] is not [1, ${c}, H, W] or [${c}, H, W] for channels "${p.channels}"`, {
      param: 'tensor',
    });
  }
  const h = shape[shape.length - 2];
  const w = shape[shape.length - 1];
  const plane = w * h;
  if (t.data.length !== c * plane) {
    throw new InvalidInputError(`tensor has ${t.data.length} values but shape [${shape.join(', ')}] needs ${c * plane}`, { param: 'tensor' });
  }
  const mean = perChannel(p, 'mean', c);
  const std = perChannel(p, 'std', c);
  const k = 255 / p.scale;
  const data = new Uint8ClampedArray(plane * 4);
  for (let i = 0; i < plane; i++) {
    if (c === 1) {
      data[i * 4] = data[i * 4 + 1] = data[i * 4 + 2] = Math.round((t.data[i] * std[0] + mean[0]) * k);
    } else {
      const order = CHANNEL_ORDER[p.channels as 'rgb' | 'bgr'];
      for (let ch = 0; ch < 3; ch++) data[i * 4 + order[ch]] = Math.round((t.data[ch * plane + i] * std[ch] + mean[ch]) * k);
    }
    data[i * 4 + 3] = 255;
  }
  return { width: w, height: h, data, sourceChannels: c === 1 ? 1 : 3 };
}
