/**
 * Resizing and cropping of RasterImages (for models and display) and of float attribution maps (for
 * upsampling CAMs to the input size), all through the one engine in resample.ts so images and maps follow
 * exactly the same formulas.
 */
import { InvalidInputError } from '../errors.js';
import { checkOutputSize } from './limits.js';
import { checkRaster, checkSize, type RasterImage } from './raster.js';
import { areaWeights, bilinearWeights, cropWeights, nearestWeights, resample, type AxisWeights } from './resample.js';

/** How an image of one size becomes another: the manifest's `preprocessing.resize` values. */
export type ResizeMode = 'bilinear' | 'area' | 'resize-crop';

export interface ResizePlan {
  readonly x: AxisWeights;
  readonly y: AxisWeights;
}

/** Python's round(): halves go to the even neighbour (torchvision's center_crop uses it for offsets). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Top-left offset of a centred crop, as torchvision.transforms.functional.center_crop computes it:
 * round((in - out) / 2) with Python's half-to-even rounding.
 * @example centerOffset(257, 224) // 16
 */
export function centerOffset(inSize: number, outSize: number): number {
  return roundHalfEven((inSize - outSize) / 2);
}

/**
 * The intermediate size of "resize the short side, then centre-crop": the scale that makes the image just
 * cover outW x outH, with the other side truncated as torchvision's Resize(int) does (int(size * long / short)).
 * @example shortSideSize(500, 375, 224, 224) // [298, 224]
 */
export function shortSideSize(inW: number, inH: number, outW: number, outH: number): [number, number] {
  if (outW * inH >= outH * inW) return [outW, Math.floor((inH * outW) / inW)];
  return [Math.floor((inW * outH) / inH), outH];
}

/**
 * The per-axis weights that take an inW x inH image to outW x outH by `mode`: 'bilinear' (PyTorch
 * bilinear, align_corners=False, no antialias), 'area' (box averaging; bilinear along an axis that grows), or
 * 'resize-crop' (bilinear to shortSideSize, then centre crop; only the kept rows and columns are computed).
 */
export function resizePlan(mode: ResizeMode, inW: number, inH: number, outW: number, outH: number): ResizePlan {
  switch (mode) {
    case 'bilinear':
      return { x: bilinearWeights(inW, outW), y: bilinearWeights(inH, outH) };
    case 'area':
      return { x: areaWeights(inW, outW), y: areaWeights(inH, outH) };
    case 'resize-crop': {
      const [midW, midH] = shortSideSize(inW, inH, outW, outH);
      return {
        x: bilinearWeights(inW, midW, centerOffset(midW, outW), outW),
        y: bilinearWeights(inH, midH, centerOffset(midH, outH), outH),
      };
    }
    default:
      throw new InvalidInputError(`resize mode ${JSON.stringify(mode)} is not known; allowed: bilinear, area, resize-crop`, {
        param: 'resize',
      });
  }
}

function applyPlan(img: RasterImage, plan: ResizePlan): RasterImage {
  const data = new Uint8ClampedArray(plan.x.size * plan.y.size * 4);
  resample(img.data, img.width, img.height, 4, plan.x, plan.y, data);
  return { width: plan.x.size, height: plan.y.size, data, sourceChannels: img.sourceChannels };
}

function checkResize(img: RasterImage, width: number, height: number): void {
  checkRaster(img);
  checkOutputSize(width, height, 'size');
}

/**
 * Bilinear resize with half-pixel centres, as PyTorch F.interpolate(mode='bilinear', align_corners=False,
 * antialias=False) on each RGBA channel (straight alpha), rounded to bytes (half to even). No antialiasing:
 * use resizeArea to shrink by large factors.
 * @example resizeBilinear(img, 224, 224)
 */
export function resizeBilinear(img: RasterImage, width: number, height: number): RasterImage {
  checkResize(img, width, height);
  return applyPlan(img, resizePlan('bilinear', img.width, img.height, width, height));
}

/**
 * Area resize: each output pixel is the coverage-weighted mean of the source pixels under it (OpenCV
 * INTER_AREA; PyTorch adaptive_avg_pool2d for integer ratios). An axis that grows is resized bilinearly.
 * @example resizeArea(img, img.width / 4, img.height / 4)
 */
export function resizeArea(img: RasterImage, width: number, height: number): RasterImage {
  checkResize(img, width, height);
  return applyPlan(img, resizePlan('area', img.width, img.height, width, height));
}

/**
 * The centred width x height window of `img` (offsets as torchvision's center_crop). The window must fit.
 * @example centerCrop(img, 224, 224)
 */
export function centerCrop(img: RasterImage, width: number, height: number): RasterImage {
  checkResize(img, width, height);
  if (width > img.width || height > img.height) {
    throw new InvalidInputError(`crop ${width}x${height} does not fit in the ${img.width}x${img.height} image`, { param: 'size' });
  }
  return applyPlan(img, {
    x: cropWeights(centerOffset(img.width, width), width),
    y: cropWeights(centerOffset(img.height, height), height),
  });
}

/**
 * Resize so the image just covers width x height (short side to its target, bilinear), then centre-crop the
 * long side: the 'resize-crop' preprocessing, in one pass.
 * @example resizeShortSideThenCrop(photo500x375, 224, 224) // bilinear to 298x224, then columns 37..260
 */
export function resizeShortSideThenCrop(img: RasterImage, width: number, height: number): RasterImage {
  checkResize(img, width, height);
  return applyPlan(img, resizePlan('resize-crop', img.width, img.height, width, height));
}

function checkMap(map: Float32Array, inW: number, inH: number, outW: number, outH: number): void {
  if (!(map instanceof Float32Array)) throw new InvalidInputError('map must be a Float32Array', { param: 'map' });
  checkSize(inW, inH, 'map');
  if (map.length !== inW * inH) {
    throw new InvalidInputError(`map has ${map.length} values but ${inW}x${inH} needs ${inW * inH}`, { param: 'map' });
  }
  checkOutputSize(outW, outH, 'size');
}

/**
 * Bilinear resize of a row-major float map (e.g. a 7x7 CAM to 224x224), numerically PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False) on a [1, 1, inH, inW] float32 tensor.
 * @example resizeMapBilinear(new Float32Array([1, 2, 3, 4]), 2, 2, 4, 4).subarray(0, 4) // [1, 1.25, 1.75, 2]
 */
export function resizeMapBilinear(map: Float32Array, inW: number, inH: number, outW: number, outH: number): Float32Array {
  checkMap(map, inW, inH, outW, outH);
  const out = new Float32Array(outW * outH);
  resample(map, inW, inH, 1, bilinearWeights(inW, outW), bilinearWeights(inH, outH), out);
  return out;
}

/**
 * Nearest-neighbour resize of a float map, PyTorch's legacy F.interpolate(mode='nearest'):
 * source index floor(dst * in / out) per axis (blocky upsampling that keeps the map's values).
 * @example resizeMapNearest(new Float32Array([1, 2]), 2, 1, 4, 1) // [1, 1, 2, 2]
 */
export function resizeMapNearest(map: Float32Array, inW: number, inH: number, outW: number, outH: number): Float32Array {
  checkMap(map, inW, inH, outW, outH);
  const out = new Float32Array(outW * outH);
  resample(map, inW, inH, 1, nearestWeights(inW, outW), nearestWeights(inH, outH), out);
  return out;
}
