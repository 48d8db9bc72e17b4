/**
 * PNG encoding of a RasterImage (fast-png, pure JS, so it runs in Workers and browsers): 8-bit RGBA by default,
 * or 8-bit grayscale for masks and gray models.
 */
import { encode as fastPngEncode } from 'fast-png';
import { checkRaster, luma601, type RasterImage } from './raster.js';

export interface EncodePngOptions {
  /** 'rgba' (default) keeps colour and alpha; 'gray' writes one channel: the value of a gray source, else BT.601 luma rounded. Alpha is dropped. */
  readonly channels?: 'rgba' | 'gray';
}

/**
 * Encode an image as PNG bytes. Decoding the result with decodeImage gives the same pixels back exactly.
 * @example const png = encodePng(renderHeatmap(map, 7, 7)); // Uint8Array starting 89 50 4E 47
 */
export function encodePng(img: RasterImage, opts: EncodePngOptions = {}): Uint8Array {
  checkRaster(img);
  const { width, height, data } = img;
  if (opts.channels === 'gray') {
    const gray = new Uint8Array(width * height);
    for (let i = 0; i < gray.length; i++) {
      // For a gray source R = G = B and the luma weights sum to 1; round anyway so float error cannot shift a level.
      gray[i] = Math.round(luma601(data[i * 4], data[i * 4 + 1], data[i * 4 + 2]));
    }
    return fastPngEncode({ width, height, data: gray, channels: 1, depth: 8 });
  }
  return fastPngEncode({ width, height, data, channels: 4, depth: 8 });
}
