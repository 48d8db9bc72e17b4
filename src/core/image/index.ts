/**
 * Public API of the image layer: decode and encode, resize, image <-> tensor, colormaps, heatmaps and
 * colorbars. Pure TypeScript plus fast-png and jpeg-js, so the same code runs in Node, Workers and browsers.
 */
export type { RasterImage, SourceChannels } from './raster.js';
export { createRaster, rasterFromChannels, checkRaster, isGraySource, hasAlpha, luma601, LUMA_601 } from './raster.js';
export type { ImageLimits } from './limits.js';
export { MAX_ENCODED_BYTES, MAX_SIDE, MAX_PIXELS, DEFAULT_IMAGE_LIMITS, resolveLimits } from './limits.js';
export type { DecodableFormat, KnownFormat } from './sniff.js';
export { sniffFormat } from './sniff.js';
export { decodeImage } from './decode.js';
export type { EncodePngOptions } from './encode.js';
export { encodePng } from './encode.js';
export type { ResizeMode } from './resize.js';
export {
  resizeBilinear,
  resizeArea,
  centerCrop,
  resizeShortSideThenCrop,
  resizeMapBilinear,
  resizeMapNearest,
  shortSideSize,
  centerOffset,
} from './resize.js';
export { imageToTensor, tensorToImage } from './preprocess.js';
export type { Colormap, NormalizeOptions } from './colormap.js';
export {
  VIRIDIS,
  COOLWARM,
  colorAt,
  colormapIndex,
  normalizeUnsigned,
  normalizeSigned,
  normalizationScale,
  percentile,
  DEFAULT_UNSIGNED_PERCENTILE,
  DEFAULT_SIGNED_PERCENTILE,
} from './colormap.js';
export type { HeatmapOptions, OverlayOptions } from './heatmap.js';
export { renderHeatmap, overlayHeatmap, isSignedMap } from './heatmap.js';
export type { Colorbar, ColorbarOptions, ColorbarOrientation, ColorbarTick, ImageWithColorbar, WithColorbarOptions } from './colorbar.js';
export { renderColorbar, withColorbar, niceTicks } from './colorbar.js';
