// The bias data set generator: determinism, designed correlations, masks that cover exactly what each
// attribute draws, and config validation.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { compileCooccurrence, designedPhi, feasiblePhiRange, sampleAttributes } from '../../src/core/bias/cooccurrence.js';
import { phiMatrix, phiValues, type AttributeTable } from '../../src/core/bias/correlation.js';
import {
  BIAS_ATTRIBUTES,
  biasModel,
  DEFAULT_BIAS_CONFIG,
  generatePortrait,
  generatePortraits,
  PORTRAIT_SIZE,
  portraitLabels,
  portraitLayout,
  portraitMasks,
  renderPortrait,
  type BiasSplit,
} from '../../src/core/bias/generator.js';
import { SampleRng } from '../../src/core/perturbation/prng.js';
import { expectAllClose } from '../helpers/close.js';

const K = BIAS_ATTRIBUTES.length;
const at = (a: string) => BIAS_ATTRIBUTES.indexOf(a as (typeof BIAS_ATTRIBUTES)[number]);

function labelTable(split: BiasSplit, n: number, seed = 0): AttributeTable {
  const values = new Uint8Array(n * K);
  for (let i = 0; i < n; i++) values.set(portraitLabels(seed, split, i), i * K);
  return { names: BIAS_ATTRIBUTES, n, values };
}

describe('bias generator: determinism', () => {
  it('same (seed, split, index) gives the same bytes, whatever the batch it is drawn in', () => {
    const batch = generatePortraits({ seed: 5, split: 'train', start: 10, count: 6 });
    for (const p of batch) {
      const alone = generatePortrait(5, 'train', p.index);
      expect(Buffer.from(alone.rgb).equals(Buffer.from(p.rgb))).toBe(true);
      expect([...alone.labels]).toEqual([...p.labels]);
      alone.masks.forEach((m, a) => expect(Buffer.from(m).equals(Buffer.from(p.masks[a]))).toBe(true));
    }
    const other = generatePortraits({ seed: 5, split: 'train', start: 12, count: 1 })[0];
    expect(Buffer.from(other.rgb).equals(Buffer.from(batch[2].rgb))).toBe(true);
  });

  it('different seeds, splits and indices give different images', () => {
    const a = generatePortrait(0, 'train', 0).rgb;
    for (const b of [generatePortrait(1, 'train', 0).rgb, generatePortrait(0, 'test', 0).rgb, generatePortrait(0, 'unbiased', 0).rgb, generatePortrait(0, 'train', 1).rgb]) {
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    }
  });

  it('image 0 of seed 0 has a fixed digest (catches silent changes to the generator or its PRNG)', async () => {
    const p = generatePortrait(0, 'unbiased', 0);
    expect(p.rgb.length).toBe(PORTRAIT_SIZE * PORTRAIT_SIZE * 3);
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', Uint8Array.from(p.rgb))).toString('hex').slice(0, 16);
    expect(digest).toMatchInlineSnapshot(`"5e99e65ecd662c80"`);
  });

  it('rejects bad seeds, indices and splits with InvalidInputError', () => {
    expect(() => generatePortrait(-1, 'train', 0)).toThrow(InvalidInputError);
    expect(() => generatePortrait(0, 'train', 1.5)).toThrow(/index must be a non-negative integer/);
    expect(() => generatePortrait(0, 'validation' as BiasSplit, 0)).toThrow(/allowed: train, test, unbiased/);
  });
});

describe('bias generator: designed correlations', () => {
  it('the default design: lipstick ~ long_hair phi 0.8, glasses ~ hat phi 0.3, nothing else', () => {
    const d = designedPhi(biasModel());
    const expected = new Float64Array(K * K);
    for (let i = 0; i < K; i++) expected[i * K + i] = 1;
    const set = (a: string, b: string, v: number) => {
      expected[at(a) * K + at(b)] = v;
      expected[at(b) * K + at(a)] = v;
    };
    set('lipstick', 'long_hair', 0.8);
    set('glasses', 'hat', 0.3);
    expectAllClose(d, expected, { atol: 1e-12 });
    // the conditionals behind phi 0.8 with both rates 0.5
    const m = biasModel();
    expect(m.pGivenParent[at('lipstick')]).toBeCloseTo(0.9, 12);
    expect(m.pGivenNoParent[at('lipstick')]).toBeCloseTo(0.1, 12);
  });

  it("the 'train' split's label phi matches the design within 0.05 (20,000 images), rates within 0.02", () => {
    const t = labelTable('train', 20_000);
    expectAllClose(phiValues(phiMatrix(t)), designedPhi(biasModel()), { atol: 0.05, rtol: 0 });
    for (let a = 0; a < K; a++) {
      let s = 0;
      for (let i = 0; i < t.n; i++) s += t.values[i * K + a];
      expect(Math.abs(s / t.n - DEFAULT_BIAS_CONFIG.rates[BIAS_ATTRIBUTES[a]])).toBeLessThan(0.02);
    }
  });

  it("'test' follows the same design; 'unbiased' has every phi near 0", () => {
    expectAllClose(phiValues(phiMatrix(labelTable('test', 10_000))), designedPhi(biasModel()), { atol: 0.05, rtol: 0 });
    const ub = phiValues(phiMatrix(labelTable('unbiased', 10_000)));
    const eye = new Float64Array(K * K);
    for (let i = 0; i < K; i++) eye[i * K + i] = 1;
    expectAllClose(ub, eye, { atol: 0.05, rtol: 0 });
  });

  it('a chain a -> b -> c has phi(a, c) = phi(a, b) * phi(b, c), also by sampling', () => {
    const names = ['a', 'b', 'c', 'd'];
    const model = compileCooccurrence(names, {
      rates: { a: 0.5, b: 0.5, c: 0.4, d: 0.3 },
      links: [
        { attribute: 'c', given: 'b', phi: -0.5 },
        { attribute: 'b', given: 'a', phi: 0.6 },
        { attribute: 'd', given: 'b', phi: 0.4 },
      ],
    });
    const d = designedPhi(model);
    expect(d[0 * 4 + 2]).toBeCloseTo(-0.3, 12);
    expect(d[2 * 4 + 3]).toBeCloseTo(-0.2, 12); // siblings c <- b -> d
    expect(d[0 * 4 + 3]).toBeCloseTo(0.24, 12);
    const n = 40_000;
    const values = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const r = new SampleRng(3, i);
      values.set(sampleAttributes(model, (k) => r.uniform(k)), i * 4);
    }
    expectAllClose(phiValues(phiMatrix({ names, n, values })), d, { atol: 0.03, rtol: 0 });
  });

  it('validates configs: unknown names, rates, infeasible phi, two links, cycles', () => {
    const rates = { a: 0.5, b: 0.5, c: 0.2 };
    const names = ['a', 'b', 'c'];
    expect(() => compileCooccurrence(names, { rates: { ...rates, z: 0.5 }, links: [] })).toThrow(/rates: unknown attribute "z"/);
    expect(() => compileCooccurrence(names, { rates: { ...rates, a: 1 }, links: [] })).toThrow(/rates.a must be a number strictly between 0 and 1/);
    expect(() => compileCooccurrence(names, { rates, links: [{ attribute: 'c', given: 'x', phi: 0.1 }] })).toThrow(/unknown attribute "x"/);
    // c (rate 0.2) given a (rate 0.5): phi at most 0.5
    expect(feasiblePhiRange(0.5, 0.2)[1]).toBeCloseTo(0.5, 12);
    expect(() => compileCooccurrence(names, { rates, links: [{ attribute: 'c', given: 'a', phi: 0.7 }] })).toThrow(/phi 0.7 is not possible .* allowed: -0.5000 to 0.5000/);
    expect(() =>
      compileCooccurrence(names, {
        rates,
        links: [
          { attribute: 'c', given: 'a', phi: 0.1 },
          { attribute: 'c', given: 'b', phi: 0.1 },
        ],
      }),
    ).toThrow(/already has a link/);
    expect(() =>
      compileCooccurrence(names, {
        rates,
        links: [
          { attribute: 'a', given: 'b', phi: 0.1 },
          { attribute: 'b', given: 'a', phi: 0.1 },
        ],
      }),
    ).toThrow(/cycle through a, b/);
    expect(() => compileCooccurrence(names, { rates, links: [{ attribute: 'a', given: 'a', phi: 0.1 }] })).toThrow(InvalidInputError);
  });
});

describe('bias generator: region masks', () => {
  it('masks are non-empty, pairwise disjoint, and the small attribute is small', () => {
    for (let i = 0; i < 40; i++) {
      const masks = portraitMasks(portraitLayout(0, 'train', i));
      const owner = new Int8Array(PORTRAIT_SIZE * PORTRAIT_SIZE).fill(-1);
      masks.forEach((m, a) => {
        let area = 0;
        for (let p = 0; p < m.length; p++) {
          if (!m[p]) continue;
          area++;
          expect(owner[p], `image ${i}: ${BIAS_ATTRIBUTES[a]} overlaps ${BIAS_ATTRIBUTES[owner[p]]}`).toBe(-1);
          owner[p] = a;
        }
        expect(area).toBeGreaterThan(0);
        if (BIAS_ATTRIBUTES[a] === 'lipstick') expect(area).toBeLessThanOrEqual(32);
        if (BIAS_ATTRIBUTES[a] === 'long_hair') expect(area).toBeGreaterThan(200);
      });
    }
  });

  it('toggling an attribute changes only pixels inside its mask, and changes some of them', () => {
    for (let i = 0; i < 60; i++) {
      const layout = portraitLayout(2, 'unbiased', i);
      const labels = portraitLabels(2, 'unbiased', i);
      const base = renderPortrait(layout, labels);
      const masks = portraitMasks(layout);
      for (let a = 0; a < K; a++) {
        const flipped = Uint8Array.from(labels);
        flipped[a] ^= 1;
        const other = renderPortrait(layout, flipped);
        let inside = 0;
        for (let p = 0; p < PORTRAIT_SIZE * PORTRAIT_SIZE; p++) {
          const changed = base[p * 3] !== other[p * 3] || base[p * 3 + 1] !== other[p * 3 + 1] || base[p * 3 + 2] !== other[p * 3 + 2];
          if (!changed) continue;
          expect(masks[a][p], `image ${i}, ${BIAS_ATTRIBUTES[a]}: pixel ${p % 64},${Math.floor(p / 64)} changed outside the mask`).toBe(1);
          inside++;
        }
        expect(inside, `image ${i}: toggling ${BIAS_ATTRIBUTES[a]} changed nothing`).toBeGreaterThan(BIAS_ATTRIBUTES[a] === 'lipstick' ? 4 : 10);
      }
    }
  });
});
