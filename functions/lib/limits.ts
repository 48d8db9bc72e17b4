/**
 * The API's documented limits, served by GET /api/methods. Per-method sample and step maxima are the
 * parameter bounds in the method table.
 */
import { MAX_ENCODED_BYTES, MAX_PIXELS, MAX_SIDE } from '../../src/core/image/index.js';
import { MAX_BODY_BYTES } from './request-input.js';

export const API_LIMITS = {
  maxEncodedImageBytes: MAX_ENCODED_BYTES,
  maxImageSide: MAX_SIDE,
  maxImagePixels: MAX_PIXELS,
  maxBodyBytes: MAX_BODY_BYTES,
} as const;
