/**
 * Where a model looks for each attribute (issue 7, after Zhang, Wang, Zhu (2018), "Examining CNN
 * Representations with respect to Dataset Bias", AAAI): for every attribute, the average attribution map over
 * the images where the model predicts it, and the share of attribution mass inside each attribute's region.
 * An attribute whose evidence lies mostly in another attribute's region is flagged, with the data correlation
 * that explains it (e.g. "lipstick" judged from long hair because the two co-occur).
 *
 * Any attribution method plugs in as a function (input, target) -> map (Grad-CAM by default in the CLI; the
 * tests use region-free occlusion). Per image the positive part of the map is normalised to mass 1, so every
 * image counts equally. All statistics are float64 sums over images: shards of a data set (index ranges) are
 * accumulated separately and merged by mergeEvidence, giving the same report as one run.
 */
import { InvalidInputError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { PhiMatrix } from './correlation.js';

/** Attribution of `target` for one preprocessed input [1,C,H,W]: a map of H x W values, row-major. */
export type AttributionFn = (input: Tensor, target: number) => Promise<Float32Array>;

export interface EvidenceItem {
  /** Preprocessed input, batch 1. */
  readonly input: Tensor;
  /** 0/1 per attribute: what the model predicts for this image. */
  readonly predicted: ArrayLike<number>;
  /** One 0/1 mask (H x W) per region, in the order of EvidenceOptions.regions. */
  readonly masks: readonly Uint8Array[];
}

/** A data set the analysis walks by index, so any range of it can be a shard. */
export interface EvidenceSource {
  readonly count: number;
  item(index: number): EvidenceItem | Promise<EvidenceItem>;
}

export interface EvidenceOptions {
  /** The model's attribute names (its output order). */
  readonly attributes: readonly string[];
  /** Region names, in mask order; a region named like an attribute is that attribute's own region. */
  readonly regions: readonly string[];
  readonly attribution: AttributionFn;
  readonly width: number;
  readonly height: number;
  /** Image indices [start, end) of the source; default all. */
  readonly start?: number;
  readonly end?: number;
  /** Called after each image with (done, total) of this range. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Float64 sums over images, per attribute; shards of disjoint ranges add up (mergeEvidence). */
export interface EvidencePartial {
  readonly attributes: readonly string[];
  readonly regions: readonly string[];
  readonly width: number;
  readonly height: number;
  /** Images where the attribute was predicted and its map had positive mass. */
  readonly images: Float64Array;
  /** Images where it was predicted but the map had no positive mass (not averaged in). */
  readonly empty: Float64Array;
  /** Sum of normalised maps, attributes x (H*W). */
  readonly mapSum: Float64Array;
  /** Sum of per-image mass shares, attributes x regions. */
  readonly shareSum: Float64Array;
  /** Sum of per-image region area fractions, attributes x regions (the share a uniform map would give). */
  readonly areaSum: Float64Array;
}

export interface AttributeEvidence {
  readonly attribute: string;
  readonly images: number;
  /** Average normalised map (sums to 1), H x W row-major; all zeros when no image. */
  readonly map: Float32Array;
  /** Mean share of attribution mass per region, and outside every region. */
  readonly shares: Readonly<Record<string, number>>;
  readonly outside: number;
  /** share / area fraction per region: above 1 means the evidence concentrates there. */
  readonly concentration: Readonly<Record<string, number>>;
  /** Share in the attribute's own region (0 when it has none). */
  readonly ownShare: number;
  /** Region with the largest share. */
  readonly topRegion: string | null;
  readonly flagged: boolean;
  /** Why it is flagged: the other region, its share, and the data (and model) phi of the two attributes. */
  readonly explanation?: {
    readonly region: string;
    readonly share: number;
    readonly dataPhi: number | null;
    readonly modelPhi: number | null;
    readonly text: string;
  };
}

export interface EvidenceReport {
  readonly width: number;
  readonly height: number;
  readonly regions: readonly string[];
  readonly attributes: readonly AttributeEvidence[];
  readonly flagged: readonly string[];
}

function emptyPartial(o: Pick<EvidenceOptions, 'attributes' | 'regions' | 'width' | 'height'>): EvidencePartial {
  const k = o.attributes.length;
  const r = o.regions.length;
  return {
    attributes: [...o.attributes],
    regions: [...o.regions],
    width: o.width,
    height: o.height,
    images: new Float64Array(k),
    empty: new Float64Array(k),
    mapSum: new Float64Array(k * o.width * o.height),
    shareSum: new Float64Array(k * r),
    areaSum: new Float64Array(k * r),
  };
}

/**
 * Accumulate attribution statistics over images [start, end) of a source (one shard).
 * @example const part = await accumulateEvidence(source, { attributes, regions: attributes, attribution, width: 64, height: 64 })
 */
export async function accumulateEvidence(source: EvidenceSource, o: EvidenceOptions): Promise<EvidencePartial> {
  const start = o.start ?? 0;
  const end = o.end ?? source.count;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > source.count || start > end) {
    throw new InvalidInputError(`image range [${start}, ${end}) is not within 0..${source.count}`, { param: 'range' });
  }
  if (o.attributes.length === 0) throw new InvalidInputError('attributes: none given', { param: 'attributes' });
  const plane = o.width * o.height;
  const k = o.attributes.length;
  const r = o.regions.length;
  const part = emptyPartial(o);
  for (let idx = start; idx < end; idx++) {
    const item = await source.item(idx);
    if (item.predicted.length !== k) {
      throw new InvalidInputError(`image ${idx}: ${item.predicted.length} predictions for ${k} attributes`, { param: 'predicted' });
    }
    if (item.masks.length !== r || item.masks.some((m) => m.length !== plane)) {
      throw new InvalidInputError(`image ${idx}: need ${r} region masks of ${o.width}x${o.height}`, { param: 'masks' });
    }
    const areas = item.masks.map((m) => {
      let s = 0;
      for (let p = 0; p < plane; p++) s += m[p];
      return s / plane;
    });
    for (let a = 0; a < k; a++) {
      if (!item.predicted[a]) continue;
      const map = await o.attribution(item.input, a);
      if (map.length !== plane) {
        throw new InvalidInputError(`attribution of image ${idx}, attribute "${o.attributes[a]}" has ${map.length} values; need ${plane}`, { param: 'attribution' });
      }
      let mass = 0;
      for (let p = 0; p < plane; p++) if (map[p] > 0) mass += map[p];
      if (!(mass > 0) || !Number.isFinite(mass)) {
        part.empty[a]++;
        continue;
      }
      part.images[a]++;
      const ms = part.mapSum.subarray(a * plane, (a + 1) * plane);
      for (let p = 0; p < plane; p++) if (map[p] > 0) ms[p] += map[p] / mass;
      for (let g = 0; g < r; g++) {
        const m = item.masks[g];
        let s = 0;
        for (let p = 0; p < plane; p++) if (m[p] && map[p] > 0) s += map[p];
        part.shareSum[a * r + g] += s / mass;
        part.areaSum[a * r + g] += areas[g];
      }
    }
    o.onProgress?.(idx - start + 1, end - start);
  }
  return part;
}

/** Add up the partials of disjoint shards (same attributes, regions and size). */
export function mergeEvidence(parts: readonly EvidencePartial[]): EvidencePartial {
  if (parts.length === 0) throw new InvalidInputError('mergeEvidence needs at least one partial', { param: 'partials' });
  const first = parts[0];
  const out = emptyPartial(first);
  const key = (p: EvidencePartial) => `${p.attributes.join('\u0000')}|${p.regions.join('\u0000')}|${p.width}x${p.height}`;
  for (const p of parts) {
    if (key(p) !== key(first)) throw new InvalidInputError('cannot merge evidence of different attributes, regions or sizes', { param: 'partials' });
    for (const f of ['images', 'empty', 'mapSum', 'shareSum', 'areaSum'] as const) {
      const dst = out[f];
      const src = p[f];
      for (let i = 0; i < dst.length; i++) dst[i] += src[i];
    }
  }
  return out;
}

export interface EvidenceReportOptions {
  /** Label correlations of the data (phiMatrix over the labels), to explain flags. */
  readonly dataPhi?: PhiMatrix;
  /** The same over the model's predictions. */
  readonly modelPhi?: PhiMatrix;
  /**
   * A flag needs another region to hold at least this share of the mass (default 0.2), so diffuse maps whose
   * largest region share is small are not flagged on noise.
   */
  readonly minShare?: number;
  /** Attributes with fewer images are reported but never flagged (default 5). */
  readonly minImages?: number;
}

function phiOf(m: PhiMatrix | undefined, a: string, b: string): number | null {
  if (!m) return null;
  const i = m.names.indexOf(a);
  const j = m.names.indexOf(b);
  return i < 0 || j < 0 ? null : m.cells[i][j].phi;
}

/**
 * Averages, shares and flags from merged sums. An attribute is flagged when another attribute's region holds
 * at least `minShare` of the mean mass, more than the attribute's own region, and at a higher concentration
 * (share per area) than its own region; the explanation names the largest such region.
 */
export function evidenceReport(part: EvidencePartial, opts: EvidenceReportOptions = {}): EvidenceReport {
  const minShare = opts.minShare ?? 0.2;
  const minImages = opts.minImages ?? 5;
  if (!(minShare >= 0 && minShare <= 1)) throw new InvalidInputError(`minShare must be from 0 to 1, got ${minShare}`, { param: 'minShare' });
  const plane = part.width * part.height;
  const r = part.regions.length;
  const attributes = part.attributes.map((attribute, a): AttributeEvidence => {
    const n = part.images[a];
    const map = new Float32Array(plane);
    if (n > 0) for (let p = 0; p < plane; p++) map[p] = part.mapSum[a * plane + p] / n;
    const shares: Record<string, number> = {};
    const concentration: Record<string, number> = {};
    let inside = 0;
    let top = -1;
    part.regions.forEach((g, j) => {
      const s = n > 0 ? part.shareSum[a * r + j] / n : 0;
      const area = n > 0 ? part.areaSum[a * r + j] / n : 0;
      shares[g] = s;
      concentration[g] = area > 0 ? s / area : 0;
      inside += s;
      if (n > 0 && (top < 0 || s > shares[part.regions[top]])) top = j;
    });
    const own = part.regions.indexOf(attribute);
    const ownShare = own >= 0 ? shares[attribute] : 0;
    const ownConcentration = own >= 0 ? concentration[attribute] : 0;
    const topRegion = top >= 0 ? part.regions[top] : null;
    // The other region must hold more of the mass AND be denser than the attribute's own region: a large
    // region collects some mass from any blurry map, a tiny one looks dense from a little spill-over.
    let culprit: string | null = null;
    if (n >= minImages) {
      for (const g of part.regions) {
        if (g === attribute || shares[g] < minShare || shares[g] <= ownShare || concentration[g] <= ownConcentration) continue;
        if (culprit === null || shares[g] > shares[culprit]) culprit = g;
      }
    }
    const flagged = culprit !== null;
    const base = { attribute, images: n, map, shares, outside: n > 0 ? Math.max(0, 1 - inside) : 0, concentration, ownShare, topRegion, flagged };
    if (culprit === null) return base;
    const dataPhi = phiOf(opts.dataPhi, attribute, culprit);
    const modelPhi = phiOf(opts.modelPhi, attribute, culprit);
    const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
    const why = dataPhi === null ? '' : `; in the data, ${attribute} and ${culprit} have phi ${dataPhi.toFixed(2)}${modelPhi === null ? '' : ` (${modelPhi.toFixed(2)} in the predictions)`}`;
    return {
      ...base,
      explanation: {
        region: culprit,
        share: shares[culprit],
        dataPhi,
        modelPhi,
        text: `${pct(shares[culprit])} of the evidence for ${attribute} lies in the ${culprit} region, ${pct(ownShare)} in its own${why}`,
      },
    };
  });
  return { width: part.width, height: part.height, regions: [...part.regions], attributes, flagged: attributes.filter((e) => e.flagged).map((e) => e.attribute) };
}
