/**
 * Attribute correlations of the dataset-bias views: the phi coefficient of every pair of binary attributes
 * over a data set's labels, the same over a model's predictions, and their difference (issue 7). Every cell
 * keeps its 2x2 counts, so a view can show where a phi comes from. Counts add up, so shards of a data set
 * are counted separately and merged with addPairCounts.
 */
import { InvalidInputError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** Binary attributes of n items: `values[i * names.length + k]` is 1 when item i has attribute k, else 0. */
export interface AttributeTable {
  readonly names: readonly string[];
  readonly n: number;
  readonly values: Uint8Array;
  /** Item names (file names in a CelebA list), when known. */
  readonly files?: readonly string[];
}

/** The 2x2 table of two attributes: n11 both, n10 first only, n01 second only, n00 neither. */
export interface PairCounts {
  readonly n11: number;
  readonly n10: number;
  readonly n01: number;
  readonly n00: number;
}

export interface PhiCell extends PairCounts {
  /** null when either attribute is constant over the data (phi undefined). */
  readonly phi: number | null;
}

/** Phi coefficients of every attribute pair; `cells[i][j]`, symmetric, 1 on the diagonal unless constant. */
export interface PhiMatrix {
  readonly names: readonly string[];
  readonly n: number;
  readonly cells: readonly (readonly PhiCell[])[];
}

export interface PhiDifference {
  readonly names: readonly string[];
  /** model phi - data phi per pair; null when either is undefined. */
  readonly diff: readonly (readonly (number | null)[])[];
}

/** Check a table's shape once, where it enters. */
export function checkAttributeTable(t: AttributeTable, param = 'attributes'): void {
  const k = t.names.length;
  if (k === 0) throw new InvalidInputError(`${param}: no attributes`, { param });
  if (!Number.isInteger(t.n) || t.n < 0) throw new InvalidInputError(`${param}: n must be a non-negative integer, got ${t.n}`, { param });
  if (t.values.length !== t.n * k) {
    throw new InvalidInputError(`${param}: ${t.values.length} values for ${t.n} items x ${k} attributes (need ${t.n * k})`, { param });
  }
  if (t.files && t.files.length !== t.n) throw new InvalidInputError(`${param}: ${t.files.length} file names for ${t.n} items`, { param });
  for (let i = 0; i < t.values.length; i++) {
    if (t.values[i] > 1) {
      throw new InvalidInputError(`${param}: item ${Math.floor(i / k)}, attribute "${t.names[i % k]}" is ${t.values[i]}; allowed: 0 or 1`, { param });
    }
  }
}

/**
 * Count the 2x2 table of every attribute pair: a Float64Array of k*k*4 (n11, n10, n01, n00 per cell).
 * Shard-friendly: counts of disjoint parts of a data set add up (addPairCounts).
 */
export function pairCounts(t: AttributeTable): Float64Array {
  checkAttributeTable(t);
  const k = t.names.length;
  // n11 for every pair plus the per-attribute totals give the rest of each 2x2 table.
  const both = new Float64Array(k * k);
  const ones = new Float64Array(k);
  const present: number[] = [];
  for (let i = 0; i < t.n; i++) {
    present.length = 0;
    for (let a = 0; a < k; a++) if (t.values[i * k + a]) present.push(a);
    for (const a of present) {
      ones[a]++;
      for (const b of present) both[a * k + b]++;
    }
  }
  const out = new Float64Array(k * k * 4);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const n11 = both[a * k + b];
      const n10 = ones[a] - n11;
      const n01 = ones[b] - n11;
      out.set([n11, n10, n01, t.n - n11 - n10 - n01], (a * k + b) * 4);
    }
  }
  return out;
}

/** Add the pair counts of another shard into `into` (same attributes, same order). */
export function addPairCounts(into: Float64Array, other: Float64Array): Float64Array {
  if (into.length !== other.length) throw new InvalidInputError(`cannot merge pair counts of ${into.length / 4} and ${other.length / 4} cells`);
  for (let i = 0; i < into.length; i++) into[i] += other[i];
  return into;
}

/**
 * The phi coefficient of a 2x2 table (Yule 1912; Matthews' correlation for binary labels):
 * (n11 n00 - n10 n01) / sqrt(n1. n0. n.1 n.0), null when a margin is empty.
 * @example phi({ n11: 20, n10: 5, n01: 10, n00: 15 }) // 0.4082...
 */
export function phi(c: PairCounts): number | null {
  const r1 = c.n11 + c.n10;
  const r0 = c.n01 + c.n00;
  const c1 = c.n11 + c.n01;
  const c0 = c.n10 + c.n00;
  const den = Math.sqrt(r1 * r0 * c1 * c0);
  if (!(den > 0)) return null;
  return (c.n11 * c.n00 - c.n10 * c.n01) / den;
}

/** Phi matrix from merged pair counts (see pairCounts). */
export function phiFromCounts(names: readonly string[], counts: Float64Array): PhiMatrix {
  const k = names.length;
  if (counts.length !== k * k * 4) throw new InvalidInputError(`pair counts have ${counts.length / 4} cells; ${k} attributes need ${k * k}`);
  const cells: PhiCell[][] = [];
  for (let a = 0; a < k; a++) {
    const row: PhiCell[] = [];
    for (let b = 0; b < k; b++) {
      const o = (a * k + b) * 4;
      const c = { n11: counts[o], n10: counts[o + 1], n01: counts[o + 2], n00: counts[o + 3] };
      row.push({ ...c, phi: phi(c) });
    }
    cells.push(row);
  }
  // every cell's four counts add up to n; take the first
  return { names: [...names], n: counts[0] + counts[1] + counts[2] + counts[3], cells };
}

/**
 * Phi coefficient of every pair of attributes over a table (labels of a data set, or a model's predictions).
 * @example phiMatrix(readCelebA(text)).cells[0][1].phi
 */
export function phiMatrix(t: AttributeTable): PhiMatrix {
  return phiFromCounts(t.names, pairCounts(t));
}

/** Phi as a plain row-major matrix (NaN where undefined), for numeric comparisons. */
export function phiValues(m: PhiMatrix): Float64Array {
  const k = m.names.length;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = m.cells[a][b].phi ?? NaN;
  return out;
}

/**
 * A model's predictions as an attribute table: logits [n, k] (or probabilities) thresholded at `threshold`
 * (0 for logits, 0.5 for probabilities).
 */
export function predictionsTable(scores: Tensor, names: readonly string[], threshold = 0, files?: readonly string[]): AttributeTable {
  const [n, k] = scores.shape;
  if (scores.shape.length !== 2 || k !== names.length) {
    throw new InvalidInputError(`scores have shape [${scores.shape.join(', ')}]; need [n, ${names.length}] for attributes ${names.join(', ')}`, { param: 'scores' });
  }
  const values = new Uint8Array(n * k);
  for (let i = 0; i < n * k; i++) values[i] = scores.data[i] > threshold ? 1 : 0;
  return files ? { names: [...names], n, values, files } : { names: [...names], n, values };
}

/** model phi - data phi, per pair (same attributes in the same order). */
export function phiDifference(model: PhiMatrix, data: PhiMatrix): PhiDifference {
  if (model.names.join('\u0000') !== data.names.join('\u0000')) {
    throw new InvalidInputError(`attributes differ: model [${model.names.join(', ')}] vs data [${data.names.join(', ')}]`, { param: 'attributes' });
  }
  const diff = model.cells.map((row, a) =>
    row.map((c, b) => {
      const d = data.cells[a][b].phi;
      return c.phi === null || d === null ? null : c.phi - d;
    }),
  );
  return { names: [...model.names], diff };
}

export interface CorrelationReport {
  readonly data: PhiMatrix;
  readonly model?: PhiMatrix;
  readonly difference?: PhiDifference;
}

/**
 * The correlation part of the bias view: data phi, and when predictions are given, model phi and the difference.
 * @example correlationReport(labels, predictionsTable(logits, labels.names))
 */
export function correlationReport(labels: AttributeTable, predictions?: AttributeTable): CorrelationReport {
  const data = phiMatrix(labels);
  if (!predictions) return { data };
  if (predictions.n !== labels.n) {
    throw new InvalidInputError(`predictions cover ${predictions.n} items but the labels ${labels.n}`, { param: 'predictions' });
  }
  const model = phiMatrix(predictions);
  return { data, model, difference: phiDifference(model, data) };
}

/** Per-attribute accuracy of predictions against labels (same attributes, same items). */
export function attributeAccuracy(labels: AttributeTable, predictions: AttributeTable): Record<string, number> {
  if (predictions.n !== labels.n || predictions.names.join('\u0000') !== labels.names.join('\u0000')) {
    throw new InvalidInputError('predictions and labels must cover the same items and attributes', { param: 'predictions' });
  }
  const k = labels.names.length;
  const out: Record<string, number> = {};
  labels.names.forEach((name, a) => {
    let ok = 0;
    for (let i = 0; i < labels.n; i++) if (labels.values[i * k + a] === predictions.values[i * k + a]) ok++;
    out[name] = labels.n ? ok / labels.n : NaN;
  });
  return out;
}
