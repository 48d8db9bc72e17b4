/**
 * A seeded generator of 64x64 RGB portraits with six binary attributes drawn at known places, each with a
 * region mask, and a designed dataset bias: the ground truth for the dataset-bias views (issue 7), after
 * Zhang, Wang, Zhu (2018), "Examining CNN Representations with respect to Dataset Bias" (AAAI), where a
 * CelebA CNN judged "wearing lipstick" from hair because the two co-occur in the training data.
 *
 * Everything about image i is a pure function of (seed, split, i): the geometry, colours and pixel noise come
 * from counter-based random streams (src/core/perturbation/prng.ts), so any shard of a data set regenerates
 * exactly. Geometry and colours never depend on the labels, so toggling one attribute changes only the pixels
 * inside its mask, and masks of different attributes are disjoint by construction.
 *
 * Default bias: `lipstick` (a subtle tint of a ~20-pixel lip region) follows `long_hair` (two large strands)
 * with phi 0.8 in the 'train' and 'test' splits (P(lipstick | long hair) = 0.9, P(lipstick | no long hair) =
 * 0.1); `glasses` follows `hat` with phi 0.3; `beard` and `rosy_cheeks` are independent of everything. The
 * 'unbiased' split draws every attribute independently with the same base rates.
 */
import { InvalidInputError } from '../errors.js';
import type { RasterImage } from '../image/raster.js';
import { SampleRng } from '../perturbation/prng.js';
import { compileCooccurrence, sampleAttributes, withoutLinks, type CooccurrenceConfig, type CooccurrenceModel } from './cooccurrence.js';

/** The attributes, in label order. */
export const BIAS_ATTRIBUTES = ['hat', 'long_hair', 'glasses', 'beard', 'rosy_cheeks', 'lipstick'] as const;
export type BiasAttribute = (typeof BIAS_ATTRIBUTES)[number];

/** Where each attribute is drawn, in words (the masks are exact). */
export const ATTRIBUTE_REGIONS: Readonly<Record<BiasAttribute, string>> = {
  hat: 'top band: crown and brim above the forehead',
  long_hair: 'two strands beside the face, from eye level to below the chin',
  glasses: 'eye band: two rings and the bridge',
  beard: 'lower face below the mouth',
  rosy_cheeks: 'two small discs on the cheeks',
  lipstick: 'the lips (about 20 pixels)',
};

export const PORTRAIT_SIZE = 64;

export const BIAS_SPLITS = ['train', 'test', 'unbiased'] as const;
export type BiasSplit = (typeof BIAS_SPLITS)[number];

/** The default co-occurrence design (see the file header). */
export const DEFAULT_BIAS_CONFIG: CooccurrenceConfig = Object.freeze({
  rates: Object.freeze({ hat: 0.3, long_hair: 0.5, glasses: 0.35, beard: 0.3, rosy_cheeks: 0.4, lipstick: 0.5 }),
  links: Object.freeze([
    Object.freeze({ attribute: 'lipstick', given: 'long_hair', phi: 0.8 }),
    Object.freeze({ attribute: 'glasses', given: 'hat', phi: 0.3 }),
  ]),
});

/** Geometry and colours of one portrait: everything but the labels. */
export interface PortraitLayout {
  readonly seed: number;
  readonly split: BiasSplit;
  readonly index: number;
  /** Face centre, half-axes of the face oval, and the overall scale. */
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  readonly s: number;
  readonly background: readonly [number, number, number];
  readonly skin: readonly [number, number, number];
  readonly hair: readonly [number, number, number];
  readonly clothes: readonly [number, number, number];
  readonly hatColour: readonly [number, number, number];
  readonly frameColour: readonly [number, number, number];
  /** Natural lip tint and the lipstick tint (redness added to the lips). */
  readonly lipTint: number;
  readonly lipstickTint: number;
  readonly cheekStrength: number;
}

export interface Portrait {
  readonly split: BiasSplit;
  readonly index: number;
  /** 0/1 per attribute, in BIAS_ATTRIBUTES order. */
  readonly labels: Uint8Array;
  /** RGB, 3 bytes per pixel, row-major, PORTRAIT_SIZE x PORTRAIT_SIZE. */
  readonly rgb: Uint8Array;
  /** One 0/1 mask per attribute (PORTRAIT_SIZE^2 each): where it is drawn when present, whether or not it is. */
  readonly masks: readonly Uint8Array[];
}

type Rgb = readonly [number, number, number];

const HAIR_COLOURS: readonly Rgb[] = [
  [35, 28, 26],
  [85, 55, 35],
  [135, 90, 50],
  [200, 165, 105],
  [150, 65, 35],
  [145, 140, 135],
];
const FRAME_COLOURS: readonly Rgb[] = [
  [15, 15, 18],
  [70, 40, 20],
  [25, 30, 90],
  [110, 20, 25],
  [40, 70, 40],
];
const SKIN_LIGHT: Rgb = [240, 208, 182];
const SKIN_DARK: Rgb = [112, 74, 54];
const CHEEK_PINK: Rgb = [232, 118, 132];
const PIXEL_NOISE = 6;

// Random streams per (split, purpose): labels, layout, pixel noise. A split's streams never overlap another's.
const STREAMS_PER_SPLIT = 4;
const STREAM_LABELS = 0;
const STREAM_LAYOUT = 1;
const STREAM_NOISE = 2;

function splitIndex(split: BiasSplit): number {
  const i = BIAS_SPLITS.indexOf(split);
  if (i < 0) throw new InvalidInputError(`split "${String(split)}" is not known; allowed: ${BIAS_SPLITS.join(', ')}`, { param: 'split' });
  return i;
}

function checkSeedIndex(seed: number, index: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidInputError(`seed must be an integer from 0 to 4294967295, got ${seed}`, { param: 'seed' });
  }
  if (!Number.isInteger(index) || index < 0 || index > Number.MAX_SAFE_INTEGER) {
    throw new InvalidInputError(`index must be a non-negative integer, got ${index}`, { param: 'index' });
  }
}

function rngFor(seed: number, split: BiasSplit, index: number, purpose: number): SampleRng {
  return new SampleRng(seed, index, splitIndex(split) * STREAMS_PER_SPLIT + purpose);
}

const compiledDefault = new WeakMap<CooccurrenceConfig, CooccurrenceModel>();

/** Compile (and validate) a config for the six attributes; the default one is compiled once. */
export function biasModel(config: CooccurrenceConfig = DEFAULT_BIAS_CONFIG): CooccurrenceModel {
  let m = compiledDefault.get(config);
  if (!m) {
    m = compileCooccurrence(BIAS_ATTRIBUTES, config);
    if (config === DEFAULT_BIAS_CONFIG) compiledDefault.set(config, m);
  }
  return m;
}

/** The co-occurrence model a split is drawn from: the config for train/test, independent for unbiased. */
export function splitModel(split: BiasSplit, model: CooccurrenceModel): CooccurrenceModel {
  return split === 'unbiased' ? withoutLinks(model) : model;
}

/**
 * The labels of image `index` of a split (cheap: no rendering). 0/1 per attribute in BIAS_ATTRIBUTES order.
 * @example portraitLabels(0, 'train', 7) // Uint8Array [0, 1, 0, 0, 1, 1]
 */
export function portraitLabels(seed: number, split: BiasSplit, index: number, model: CooccurrenceModel = biasModel()): Uint8Array {
  checkSeedIndex(seed, index);
  const rng = rngFor(seed, split, index, STREAM_LABELS);
  return sampleAttributes(splitModel(split, model), (k) => rng.uniform(k));
}

function mixRgb(a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Geometry and colours of image `index`; independent of its labels. */
export function portraitLayout(seed: number, split: BiasSplit, index: number): PortraitLayout {
  checkSeedIndex(seed, index);
  const r = rngFor(seed, split, index, STREAM_LAYOUT);
  let k = 0;
  const u = (lo: number, hi: number): number => lo + (hi - lo) * r.uniform(k++);
  const pick = <T>(xs: readonly T[]): T => xs[r.int(k++, xs.length)];
  const jitter = (c: Rgb, a: number): Rgb => [c[0] + u(-a, a), c[1] + u(-a, a), c[2] + u(-a, a)];
  const s = u(0.92, 1.08);
  const cx = 32 + u(-3, 3);
  const cy = 33 + u(-2, 2);
  return {
    seed,
    split,
    index,
    cx,
    cy,
    s,
    rx: 13.5 * s,
    ry: 17.5 * s,
    background: [u(40, 225), u(40, 225), u(40, 225)],
    skin: jitter(mixRgb(SKIN_LIGHT, SKIN_DARK, u(0, 1)), 8),
    hair: jitter(pick(HAIR_COLOURS), 12),
    clothes: [u(30, 220), u(30, 220), u(30, 220)],
    hatColour: [u(20, 235), u(20, 235), u(20, 235)],
    frameColour: jitter(pick(FRAME_COLOURS), 10),
    lipTint: u(6, 26),
    lipstickTint: u(20, 40),
    cheekStrength: u(0.55, 0.8),
  };
}

/** The shapes of a layout, as pixel-centre predicates; masks and drawing share them so they cannot drift. */
function shapes(L: PortraitLayout) {
  const { cx, cy, rx, ry, s } = L;
  const eyeY = cy - 0.2 * ry;
  const eyeDx = 0.42 * rx;
  const mouthY = cy + 0.47 * ry;
  const lipA = 4 * s;
  const lipB = 1.6 * s;
  const cheekY = cy + 0.28 * ry;
  const cheekDx = 0.55 * rx;
  const cheekR = 3.6 * s;
  const ringOut = 4.3 * s;
  const ringIn = 3.2 * s;
  const beardTop = mouthY + lipB + 1.2 * s;
  const hairTop = cy - 0.35 * ry;
  const hairBottom = cy + ry + 7 * s;
  const ellipse = (x: number, y: number, ex: number, ey: number, ax: number, ay: number) => ((x - ex) / ax) ** 2 + ((y - ey) / ay) ** 2 <= 1;
  const face = (x: number, y: number) => ellipse(x, y, cx, cy, rx, ry);
  const dist = (x: number, y: number, px: number, py: number) => Math.sqrt((x - px) ** 2 + (y - py) ** 2);
  const eyeDist = (x: number, y: number) => Math.min(dist(x, y, cx - eyeDx, eyeY), dist(x, y, cx + eyeDx, eyeY));
  const cheekDist = (x: number, y: number) => Math.min(dist(x, y, cx - cheekDx, cheekY), dist(x, y, cx + cheekDx, cheekY));
  const strand = (x: number, y: number) =>
    y >= hairTop && y <= hairBottom && ((x >= cx - rx - 5 * s && x <= cx - 0.6 * rx) || (x >= cx + 0.6 * rx && x <= cx + rx + 5 * s));
  const bridge = (x: number, y: number) => Math.abs(y - eyeY) <= 0.6 * s && Math.abs(x - cx) <= eyeDx - ringIn + 0.5;
  const crown = (x: number, y: number) => Math.abs(x - cx) <= rx + 1 && y >= cy - ry - 9 * s && y <= cy - ry + 3 * s;
  const brim = (x: number, y: number) => Math.abs(x - cx) <= rx + 5 * s && y >= cy - ry + 1 * s && y <= cy - ry + 4 * s;
  const region: Record<BiasAttribute, (x: number, y: number) => boolean> = {
    hat: (x, y) => crown(x, y) || brim(x, y),
    long_hair: (x, y) => strand(x, y) && !face(x, y),
    glasses: (x, y) => eyeDist(x, y) <= ringOut || bridge(x, y),
    beard: (x, y) => face(x, y) && y >= beardTop,
    rosy_cheeks: (x, y) => cheekDist(x, y) < cheekR,
    lipstick: (x, y) => ellipse(x, y, cx, mouthY, lipA, lipB),
  };
  return { eyeY, eyeDx, mouthY, ellipse, face, dist, eyeDist, cheekDist, strand, bridge, region, cheekR, ringIn, ringOut };
}

/** Region masks of a layout: one 0/1 Uint8Array (PORTRAIT_SIZE^2) per attribute, in BIAS_ATTRIBUTES order. */
export function portraitMasks(L: PortraitLayout): Uint8Array[] {
  const N = PORTRAIT_SIZE;
  const { region } = shapes(L);
  return BIAS_ATTRIBUTES.map((a) => {
    const m = new Uint8Array(N * N);
    for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) m[y * N + x] = region[a](x + 0.5, y + 0.5) ? 1 : 0;
    return m;
  });
}

/**
 * Draw a portrait with the given labels (0/1 per attribute in BIAS_ATTRIBUTES order) into RGB bytes.
 * Painter's order: background, clothes, neck, hair cap, long hair, face, beard, cheeks, lips, eyes, glasses, hat.
 */
export function renderPortrait(L: PortraitLayout, labels: ArrayLike<number>): Uint8Array {
  if (labels.length !== BIAS_ATTRIBUTES.length) {
    throw new InvalidInputError(`labels has ${labels.length} values; give ${BIAS_ATTRIBUTES.length} (${BIAS_ATTRIBUTES.join(', ')})`, { param: 'labels' });
  }
  const on = (a: BiasAttribute) => labels[BIAS_ATTRIBUTES.indexOf(a)] === 1;
  const N = PORTRAIT_SIZE;
  const { cx, cy, rx, ry, s } = L;
  const sh = shapes(L);
  const texture = rngFor(L.seed, L.split, L.index, STREAM_LAYOUT);
  const noise = rngFor(L.seed, L.split, L.index, STREAM_NOISE);
  const out = new Uint8Array(N * N * 3);
  const lip: Rgb = [L.skin[0] * 0.86 + L.lipTint, L.skin[1] * 0.86 - 0.3 * L.lipTint, L.skin[2] * 0.86 - 0.1 * L.lipTint];
  const lipstick: Rgb = [L.skin[0] * 0.86 + L.lipstickTint, L.skin[1] * 0.86 - 0.3 * L.lipstickTint, L.skin[2] * 0.86 - 0.1 * L.lipstickTint];
  const beard = mixRgb(L.hair, [20, 15, 12], 0.25);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const p = y * N + x;
      let c: Rgb = mixRgb(L.background, [0, 0, 0], 0.25 * (py / N));
      if (sh.ellipse(px, py, cx, N + 6 * s, 24 * s, 16 * s)) c = L.clothes;
      if (Math.abs(px - cx) <= 5 * s && py >= cy + ry - 4 * s && py <= cy + ry + 6 * s) c = mixRgb(L.skin, [0, 0, 0], 0.12);
      if (py < cy - 0.3 * ry && sh.ellipse(px, py, cx, cy - 2 * s, rx + 2.5 * s, ry + 1.5 * s)) c = L.hair;
      if (on('long_hair') && sh.strand(px, py)) c = (x + L.index) % 3 === 0 ? mixRgb(L.hair, [0, 0, 0], 0.18) : L.hair;
      if (sh.face(px, py)) {
        const rr = ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2;
        c = mixRgb(L.skin, [0, 0, 0], 0.14 * rr);
        if (on('beard') && sh.region.beard(px, py)) c = mixRgb(beard, [0, 0, 0], 0.3 * texture.uniform(1000 + p));
        if (on('rosy_cheeks')) {
          const d = sh.cheekDist(px, py);
          if (d < sh.cheekR) c = mixRgb(c, CHEEK_PINK, L.cheekStrength * (1 - (d / sh.cheekR) ** 2));
        }
        if (sh.region.lipstick(px, py)) c = on('lipstick') ? lipstick : lip;
        const ed = sh.eyeDist(px, py);
        if (ed <= 1.9 * s) c = ed <= 0.9 * s ? [25, 20, 20] : [235, 235, 230];
        if (Math.abs(px - cx) <= 0.5 && py > sh.eyeY + 2.5 * s && py < cy + 0.3 * ry) c = mixRgb(c, [0, 0, 0], 0.2);
        if (Math.abs(py - (sh.eyeY - 3 * s)) <= 0.6 && Math.abs(Math.abs(px - cx) - sh.eyeDx) <= 2.2 * s) c = mixRgb(L.hair, [0, 0, 0], 0.3);
      }
      if (on('glasses')) {
        const ed = sh.eyeDist(px, py);
        if ((ed <= sh.ringOut && ed >= sh.ringIn) || sh.bridge(px, py)) c = L.frameColour;
        else if (ed < sh.ringIn) c = mixRgb(c, [200, 220, 235], 0.15);
      }
      if (on('hat') && sh.region.hat(px, py)) {
        const band = py >= cy - ry - 1 * s && py <= cy - ry + 1 * s;
        c = band ? mixRgb(L.hatColour, [0, 0, 0], 0.45) : L.hatColour;
      }
      const r32 = noise.u32(p);
      for (let ch = 0; ch < 3; ch++) {
        const n = (((r32 >>> (ch * 8)) & 0xff) / 255 - 0.5) * 2 * PIXEL_NOISE;
        out[p * 3 + ch] = Math.min(255, Math.max(0, Math.round(c[ch] + n)));
      }
    }
  }
  return out;
}

export interface GenerateOptions {
  seed: number;
  split: BiasSplit;
  /** First image index (default 0). */
  start?: number;
  count: number;
  config?: CooccurrenceConfig;
}

/**
 * Generate image `index` of a split: labels, pixels and region masks.
 * @example const p = generatePortrait(0, 'unbiased', 3); p.labels; p.rgb; p.masks[BIAS_ATTRIBUTES.indexOf('lipstick')]
 */
export function generatePortrait(seed: number, split: BiasSplit, index: number, config: CooccurrenceConfig = DEFAULT_BIAS_CONFIG): Portrait {
  const labels = portraitLabels(seed, split, index, biasModel(config));
  const layout = portraitLayout(seed, split, index);
  return { split, index, labels, rgb: renderPortrait(layout, labels), masks: portraitMasks(layout) };
}

/** Generate images start..start+count-1 of a split; the same as generatePortrait for each index. */
export function generatePortraits(opts: GenerateOptions): Portrait[] {
  const start = opts.start ?? 0;
  if (!Number.isInteger(opts.count) || opts.count < 0 || opts.count > 1_000_000) {
    throw new InvalidInputError(`count must be an integer from 0 to 1000000, got ${opts.count}`, { param: 'count' });
  }
  const model = biasModel(opts.config ?? DEFAULT_BIAS_CONFIG);
  const out: Portrait[] = [];
  for (let i = start; i < start + opts.count; i++) {
    const labels = portraitLabels(opts.seed, opts.split, i, model);
    const layout = portraitLayout(opts.seed, opts.split, i);
    out.push({ split: opts.split, index: i, labels, rgb: renderPortrait(layout, labels), masks: portraitMasks(layout) });
  }
  return out;
}

/** A portrait as the toolkit's RasterImage (opaque RGBA), e.g. for imageToTensor or encodePng. */
export function portraitToRaster(p: Pick<Portrait, 'rgb'>): RasterImage {
  const n = PORTRAIT_SIZE * PORTRAIT_SIZE;
  const data = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    data[i * 4] = p.rgb[i * 3];
    data[i * 4 + 1] = p.rgb[i * 3 + 1];
    data[i * 4 + 2] = p.rgb[i * 3 + 2];
    data[i * 4 + 3] = 255;
  }
  return { width: PORTRAIT_SIZE, height: PORTRAIT_SIZE, data, sourceChannels: 3 };
}
