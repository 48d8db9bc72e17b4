/**
 * Diverging colormaps by Moreland's construction: interpolate between two saturated end colours in the
 * polar Msh form of CIELAB, through an unsaturated midpoint, spinning the hue near the middle so the map stays
 * smooth. K. Moreland, "Diverging Color Maps for Scientific Visualization", ISVC 2009, section 6 and its
 * appendix pseudo-code. sRGB <-> XYZ use the IEC 61966-2-1 matrices and D65 white (0.9505, 1, 1.089) as the paper.
 */

type Triple = readonly [number, number, number];

const WHITE: Triple = [0.9505, 1.0, 1.089];

function toLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function fromLinear(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
}

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

function labFInv(f: number): number {
  return f > 0.206893 ? f ** 3 : (f - 16 / 116) / 7.787;
}

/** sRGB in [0, 1] to CIELAB. */
export function srgbToLab([r, g, b]: Triple): Triple {
  const [R, G, B] = [toLinear(r), toLinear(g), toLinear(b)];
  const x = (0.4124 * R + 0.3576 * G + 0.1805 * B) / WHITE[0];
  const y = (0.2126 * R + 0.7152 * G + 0.0722 * B) / WHITE[1];
  const z = (0.0193 * R + 0.1192 * G + 0.9505 * B) / WHITE[2];
  return [116 * labF(y) - 16, 500 * (labF(x) - labF(y)), 200 * (labF(y) - labF(z))];
}

/** CIELAB to sRGB in [0, 1], clamped to the gamut. */
export function labToSrgb([L, a, b]: Triple): Triple {
  const fy = (L + 16) / 116;
  const x = WHITE[0] * labFInv(fy + a / 500);
  const y = WHITE[1] * labFInv(fy);
  const z = WHITE[2] * labFInv(fy - b / 200);
  const R = 3.2406 * x - 1.5372 * y - 0.4986 * z;
  const G = -0.9689 * x + 1.8758 * y + 0.0415 * z;
  const B = 0.0557 * x - 0.204 * y + 1.057 * z;
  const clamp = (v: number) => Math.min(1, Math.max(0, fromLinear(Math.max(0, v))));
  return [clamp(R), clamp(G), clamp(B)];
}

function labToMsh([L, a, b]: Triple): Triple {
  const M = Math.sqrt(L * L + a * a + b * b);
  return [M, M === 0 ? 0 : Math.acos(L / M), Math.atan2(b, a)];
}

function mshToLab([M, s, h]: Triple): Triple {
  return [M * Math.cos(s), M * Math.sin(s) * Math.cos(h), M * Math.sin(s) * Math.sin(h)];
}

/** Moreland's AdjustHue: the hue an unsaturated colour of magnitude mUnsat gets next to a saturated one. */
function adjustHue([M, s, h]: Triple, mUnsat: number): number {
  if (M >= mUnsat) return h;
  const spin = (s * Math.sqrt(mUnsat * mUnsat - M * M)) / (M * Math.sin(s));
  return h > -Math.PI / 3 ? h + spin : h - spin;
}

/**
 * Moreland's InterpolateColor between two saturated sRGB colours with distinct hues: t = 0 gives `low`, 0.5 the
 * unsaturated midpoint of magnitude max(M1, M2, mMid) (the paper uses 88, a light gray; 100 is white), 1 `high`.
 * @example divergingColor([59 / 255, 76 / 255, 192 / 255], [180 / 255, 4 / 255, 38 / 255], 0.5, 100) // [1, 1, 1]
 */
export function divergingColor(low: Triple, high: Triple, t: number, mMid = 88): Triple {
  let a = labToMsh(srgbToLab(low));
  let b = labToMsh(srgbToLab(high));
  const mid = Math.max(a[0], b[0], mMid);
  let u = t;
  if (u < 0.5) {
    b = [mid, 0, 0];
    u = 2 * u;
  } else {
    a = [mid, 0, 0];
    u = 2 * u - 1;
  }
  if (a[1] < 0.05 && b[1] > 0.05) a = [a[0], a[1], adjustHue(b, a[0])];
  else if (b[1] < 0.05 && a[1] > 0.05) b = [b[0], b[1], adjustHue(a, b[0])];
  const msh: Triple = [(1 - u) * a[0] + u * b[0], (1 - u) * a[1] + u * b[1], (1 - u) * a[2] + u * b[2]];
  return labToSrgb(mshToLab(msh));
}

/**
 * A lookup table of `n` colours (n * 3 bytes, RGB) sampling divergingColor at t = i / (n - 1). With odd n the
 * middle entry is exactly t = 0.5.
 */
export function divergingLut(low: Triple, high: Triple, n: number, mMid = 88): Uint8Array {
  const lut = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = divergingColor(low, high, i / (n - 1), mMid);
    for (let k = 0; k < 3; k++) lut[i * 3 + k] = Math.round(c[k] * 255);
  }
  return lut;
}
