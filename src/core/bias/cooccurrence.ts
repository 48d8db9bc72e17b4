/**
 * The co-occurrence model of the generated bias data set: binary attributes with base rates, plus directed
 * links "B given A with correlation phi" that form a forest (each attribute has at most one parent). Sampling
 * walks the forest parents-first, so the designed phi coefficient of any two attributes is known exactly:
 * the product of the link phis along the path between them in the forest, 0 when none.
 *
 * Why exact: for binary A, E[B | A] is linear in A, so in a chain A -> B -> C (C independent of A given B)
 * cov(A, C) = cov(A, B) * cov(B, C) / var(B), i.e. phi(A, C) = phi(A, B) * phi(B, C); the same holds for
 * siblings A <- B -> C and by induction along any path of a tree.
 */
import { InvalidInputError } from '../errors.js';

/** "`attribute` co-occurs with `given` with phi coefficient `phi`" (negative phi: they avoid each other). */
export interface CooccurrenceLink {
  readonly attribute: string;
  readonly given: string;
  readonly phi: number;
}

export interface CooccurrenceConfig {
  /** Marginal probability of each attribute being present, in (0, 1). */
  readonly rates: Readonly<Record<string, number>>;
  /** At most one link per attribute; the links must not form a cycle. */
  readonly links: readonly CooccurrenceLink[];
}

/** A validated config, ready to sample: attributes in a parents-first order with conditional rates. */
export interface CooccurrenceModel {
  /** Attribute names, in the caller's order (the label order). */
  readonly names: readonly string[];
  readonly rates: Float64Array;
  /** Parent index per attribute, -1 for none. */
  readonly parent: Int32Array;
  /** P(attribute | parent present) and P(attribute | parent absent); both the base rate without a parent. */
  readonly pGivenParent: Float64Array;
  readonly pGivenNoParent: Float64Array;
  /** Indices in an order where every parent comes before its children. */
  readonly order: Int32Array;
  /** phi of the link to the parent (0 without one). */
  readonly linkPhi: Float64Array;
}

/**
 * The phi range a link from a parent of rate `pA` to a child of rate `pB` can have: both conditional
 * probabilities P(B|A) = pB + cov/pA and P(B|not A) = pB - cov/(1 - pA) must lie in [0, 1].
 */
export function feasiblePhiRange(pA: number, pB: number): [number, number] {
  const s = Math.sqrt(pA * (1 - pA) * pB * (1 - pB));
  // cov bounds from the two conditionals
  const covMax = Math.min((1 - pB) * pA, pB * (1 - pA));
  const covMin = Math.max(-pB * pA, -(1 - pB) * (1 - pA));
  return [covMin / s, covMax / s];
}

/**
 * Validate a co-occurrence config against the attribute names and compile it for sampling.
 * Errors name the attribute or link and what is allowed.
 * @example compileCooccurrence(['a', 'b'], { rates: { a: 0.5, b: 0.5 }, links: [{ attribute: 'b', given: 'a', phi: 0.8 }] })
 */
export function compileCooccurrence(names: readonly string[], config: CooccurrenceConfig): CooccurrenceModel {
  const n = names.length;
  const index = new Map(names.map((name, i) => [name, i]));
  const rates = new Float64Array(n);
  for (const key of Object.keys(config.rates)) {
    if (!index.has(key)) throw new InvalidInputError(`rates: unknown attribute "${key}"; allowed: ${names.join(', ')}`, { param: 'rates' });
  }
  names.forEach((name, i) => {
    const r = config.rates[name];
    if (typeof r !== 'number' || !(r > 0 && r < 1)) {
      throw new InvalidInputError(`rates.${name} must be a number strictly between 0 and 1, got ${String(r)}`, { param: `rates.${name}` });
    }
    rates[i] = r;
  });
  const parent = new Int32Array(n).fill(-1);
  const linkPhi = new Float64Array(n);
  const pGivenParent = Float64Array.from(rates);
  const pGivenNoParent = Float64Array.from(rates);
  config.links.forEach((link, k) => {
    const where = `links[${k}] (${link.attribute} given ${link.given})`;
    const b = index.get(link.attribute);
    const a = index.get(link.given);
    if (b === undefined || a === undefined) {
      throw new InvalidInputError(`${where}: unknown attribute "${b === undefined ? link.attribute : link.given}"; allowed: ${names.join(', ')}`, { param: `links[${k}]` });
    }
    if (a === b) throw new InvalidInputError(`${where}: an attribute cannot be linked to itself`, { param: `links[${k}]` });
    if (parent[b] !== -1) {
      throw new InvalidInputError(`${where}: "${link.attribute}" already has a link (given ${names[parent[b]]}); each attribute may have at most one`, { param: `links[${k}]` });
    }
    const [lo, hi] = feasiblePhiRange(rates[a], rates[b]);
    if (typeof link.phi !== 'number' || !(link.phi >= lo - 1e-12 && link.phi <= hi + 1e-12)) {
      throw new InvalidInputError(`${where}: phi ${String(link.phi)} is not possible with rates ${rates[a]} and ${rates[b]}; allowed: ${lo.toFixed(4)} to ${hi.toFixed(4)}`, { param: `links[${k}].phi` });
    }
    const cov = link.phi * Math.sqrt(rates[a] * (1 - rates[a]) * rates[b] * (1 - rates[b]));
    parent[b] = a;
    linkPhi[b] = link.phi;
    pGivenParent[b] = Math.min(1, Math.max(0, rates[b] + cov / rates[a]));
    pGivenNoParent[b] = Math.min(1, Math.max(0, rates[b] - cov / (1 - rates[a])));
  });
  // Parents-first order (depth-first from the roots); a node never reached is on a cycle.
  const order: number[] = [];
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) if (parent[i] >= 0) children[parent[i]].push(i);
  const stack = names.map((_, i) => i).filter((i) => parent[i] < 0).reverse();
  while (stack.length) {
    const i = stack.pop()!;
    order.push(i);
    for (let c = children[i].length - 1; c >= 0; c--) stack.push(children[i][c]);
  }
  if (order.length !== n) {
    const onCycle = names.filter((_, i) => !order.includes(i));
    throw new InvalidInputError(`links form a cycle through ${onCycle.join(', ')}; links must form a forest`, { param: 'links' });
  }
  return { names: [...names], rates, parent, pGivenParent, pGivenNoParent, order: Int32Array.from(order), linkPhi };
}

/** Independent attributes with the same rates: the 'unbiased' split's model. */
export function withoutLinks(model: CooccurrenceModel): CooccurrenceModel {
  const n = model.names.length;
  return {
    ...model,
    parent: new Int32Array(n).fill(-1),
    pGivenParent: Float64Array.from(model.rates),
    pGivenNoParent: Float64Array.from(model.rates),
    linkPhi: new Float64Array(n),
  };
}

/**
 * Draw one label vector. `uniform(k)` must return independent U[0,1) values for k = 0..n-1 (attribute k uses
 * draw k whatever the order, so changing one link leaves the other attributes' draws alone).
 */
export function sampleAttributes(model: CooccurrenceModel, uniform: (k: number) => number): Uint8Array {
  const out = new Uint8Array(model.names.length);
  for (const i of model.order) {
    const p = model.parent[i] < 0 ? model.rates[i] : out[model.parent[i]] ? model.pGivenParent[i] : model.pGivenNoParent[i];
    out[i] = uniform(i) < p ? 1 : 0;
  }
  return out;
}

/**
 * The exact phi coefficient matrix the model is designed to produce (n x n, row-major, 1 on the diagonal):
 * the product of link phis along the forest path between two attributes, 0 across trees.
 */
export function designedPhi(model: CooccurrenceModel): Float64Array {
  const n = model.names.length;
  const out = new Float64Array(n * n);
  // phi from each node to each of its ancestors (including itself, phi 1)
  const ancestors = (i: number): Map<number, number> => {
    const m = new Map<number, number>([[i, 1]]);
    let prod = 1;
    for (let c = i; model.parent[c] >= 0; c = model.parent[c]) {
      prod *= model.linkPhi[c];
      m.set(model.parent[c], prod);
    }
    return m;
  };
  const anc = Array.from({ length: n }, (_, i) => ancestors(i));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      // the path meets at the lowest common ancestor: the first ancestor of j (walking up) that i also has
      let v = 0;
      for (const [a, pj] of anc[j]) {
        const pi = anc[i].get(a);
        if (pi !== undefined) {
          v = pi * pj;
          break;
        }
      }
      out[i * n + j] = v;
    }
  }
  return out;
}
