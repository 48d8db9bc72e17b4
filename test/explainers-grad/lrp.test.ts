/**
 * LRP composites against Zennit 0.5.1 (/work/shared/reference: lrp_epsilon, lrp_epsilon_plus_flat,
 * lrp_epsilon_gamma_box) on tinycnn, fmnist_cnn and vgglike (BatchNorm folded), onnxruntime-node and wasm.
 * Tolerances from the reference README: relative L2 <= 1e-3 on tinycnn and fmnist_cnn; vgglike measured below.
 * Also: BatchNorm folding leaves the logits unchanged (vs vgglike_fused.onnx exported by PyTorch); AlphaBeta
 * (no reference vector) equals ZPlus for alpha 1, beta 0 and a dense formula for alpha 2, beta 1.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGradientGraph, GRAD_IO } from '../../src/core/grad/builder.js';
import { foldBatchNorm } from '../../src/core/grad/canonizers.js';
import { GRADIENT, lrpComposite } from '../../src/core/grad/composites.js';
import { opTypes, type Rule } from '../../src/core/grad/rule.js';
import { alphaBetaRule, lrpPassRule, zPlusRule } from '../../src/core/grad/rules/lrp.js';
import { makeNode, parseModel, serializeModel } from '../../src/core/onnx/model.js';
import { lrp } from '../../src/explainers/lrp.js';
import { getExplainer } from '../../src/explainers/index.js';
import { correlation, expectAllClose, relativeL2 } from '../helpers/close.js';
import { REF_DIR, refAttribution, refCases, refInput, refLoadedModel, refModelBytes } from '../grad/helpers/reference.js';
import { floatInit, randn, rng, tinyModel } from '../grad/helpers/graphs.js';
import { BACKENDS, oneHot, runtimeFor } from '../grad/helpers/runtimes.js';

const COMPOSITES = { lrp_epsilon: 'epsilon', lrp_epsilon_plus_flat: 'epsilon-plus-flat', lrp_epsilon_gamma_box: 'epsilon-gamma-box' } as const;
const TOL: Record<string, number> = { tinycnn: 1e-3, fmnist_cnn: 1e-3, vgglike: 1e-3 };
/**
 * Measured exceptions:
 * - vgglike Epsilon: pre-activations near 1e-5 make it ill-conditioned in float32 (README: "expect a few %");
 *   measured 1e-2 (native), 2.7e-2 (wasm).
 * - vgglike/astronaut_64 EpsilonPlusFlat and EpsilonGammaBox on wasm: 1.3e-2 and 2.2e-2 (native 4.7e-4 and
 *   2.6e-4; the other vgglike cases <= 1e-3 on wasm). The rules follow the forward ReLU and max-pool pattern,
 *   and on this case the WASM kernels' float32 activations differ from native enough to change even the plain
 *   gradient by 3.3e-2 (see reference.test.ts), so a few units switch. Also checked: correlation > 0.995.
 */
const RELAXED: Record<string, number> = {
  'vgglike|lrp_epsilon': 5e-2,
  'vgglike/astronaut_64|lrp_epsilon_plus_flat|wasm': 5e-2,
  'vgglike/astronaut_64|lrp_epsilon_gamma_box|wasm': 5e-2,
};
const worst = new Map<string, number>();

describe('LRP vs Zennit', () => {
  for (const model of ['tinycnn', 'fmnist_cnn', 'vgglike']) {
    for (const backend of BACKENDS) {
      it(`${model} on ${backend}`, async () => {
        const lm = refLoadedModel(model, runtimeFor(backend));
        try {
          for (const c of refCases(model)) {
            const box = c as unknown as { box_low: number[]; box_high: number[] };
            for (const [ref, composite] of Object.entries(COMPOSITES)) {
              const e = await lrp({ model: lm, input: refInput(c), target: c.target, params: { composite }, seed: 0, batchSize: 1 }, { low: box.box_low, high: box.box_high });
              const r = refAttribution(c, ref);
              expect(e.attribution.shape).toEqual(r.shape);
              const err = relativeL2(e.attribution.data, r.data);
              const key = `${model}|${ref}|${backend}`;
              worst.set(key, Math.max(worst.get(key) ?? 0, err));
              const relaxed = RELAXED[`${model}|${ref}`] ?? RELAXED[`${c.id}|${ref}|${backend}`];
              expect(err, `${c.id} ${ref} ${backend}`).toBeLessThanOrEqual(relaxed ?? TOL[model]);
              if (relaxed) expect(correlation(e.attribution.data, r.data)).toBeGreaterThan(0.995);
            }
          }
        } finally {
          await lm.dispose();
        }
      });
    }
  }

  it('the lrp explainer defaults its ZBox bounds to the input range of the manifest preprocessing', async () => {
    const c = refCases('fmnist_cnn')[0];
    const lm = refLoadedModel('fmnist_cnn', runtimeFor('native'));
    const e = await getExplainer('lrp').explain({ model: lm, input: refInput(c), target: c.target, params: { composite: 'epsilon-gamma-box' }, seed: 0, batchSize: 1 });
    expect(relativeL2(e.attribution.data, refAttribution(c, 'lrp_epsilon_gamma_box').data)).toBeLessThanOrEqual(1e-3);
    expect(e.extras!.targetScore).toBeCloseTo(c.target_logit ?? c.logits[c.target], 4);
    await lm.dispose();
  });

  it('AlphaBeta(1, 0) equals ZPlus; AlphaBeta(2, 1) = 2 ZPlus - 1 x (the negative part), a dense check on one Gemm', async () => {
    const bytes = refModelBytes('fmnist_cnn');
    const c = refCases('fmnist_cnn')[0];
    const rt = runtimeFor('native');
    const run = async (rule: Rule) => {
      const g = buildGradientGraph(bytes, { rules: { name: rule.name, entries: [{ match: opTypes('Conv', 'Gemm'), rule }, { match: opTypes('Relu'), rule: lrpPassRule }, ...GRADIENT.entries] } });
      const s = await rt.createSession(g.bytes);
      const out = await s.run({ input: refInput(c), [GRAD_IO.target]: { data: oneHot([c.target], 10), shape: [1, 10] } });
      await s.dispose();
      return out[GRAD_IO.inputGrad].data;
    };
    expectAllClose(await run(alphaBetaRule(1, 0, 1e-6)), await run(zPlusRule(1e-6)), { atol: 1e-7, rtol: 1e-5 });
    // Dense AlphaBeta(2, 1) on y = W x + b (one Gemm, x of mixed signs), relevance R on the outputs.
    const r = rng(9);
    const W = randn(12, r);
    const b = randn(3, r);
    const x = randn(4, r);
    const R = randn(3, r);
    const m = tinyModel([4], { nodes: [makeNode('Gemm', ['x', 'w', 'b'], ['y'], { transB: 1 })], inits: [floatInit('w', [3, 4], W), floatInit('b', [3], b)], out: 'y' });
    const g = buildGradientGraph(serializeModel(m), { scalar: { kind: 'unit', tensor: 'y' }, rules: { name: 'ab', entries: [{ match: opTypes('Gemm'), rule: alphaBetaRule(2, 1, 1e-6) }] } });
    const s = await rt.createSession(g.bytes);
    const got = (await s.run({ x: { data: x, shape: [1, 4] }, [GRAD_IO.target]: { data: R, shape: [1, 3] } }))[GRAD_IO.inputGrad].data;
    await s.dispose();
    const want = new Float64Array(4);
    for (let j = 0; j < 3; j++) {
      let zp = Math.max(b[j], 0);
      let zn = Math.min(b[j], 0);
      for (let i = 0; i < 4; i++) {
        const p = W[j * 4 + i] * x[i];
        if (p > 0) zp += p;
        else zn += p;
      }
      const stab = (z: number) => z + (z >= 0 ? 1e-6 : -1e-6);
      for (let i = 0; i < 4; i++) {
        const p = W[j * 4 + i] * x[i];
        want[i] += p > 0 ? (2 * p * R[j]) / stab(zp) : p < 0 ? (-1 * p * R[j]) / stab(zn) : 0;
      }
    }
    expectAllClose(got, Float32Array.from(want), { atol: 1e-6, rtol: 1e-4 });
  });

  it('bias-free residual net: every composite conserves relevance (sum of the map = target logit; Norm on Add and GAP)', async () => {
    const r = rng(4);
    const m = tinyModel([2, 5, 5], {
      nodes: [
        makeNode('Conv', ['x', 'w1'], ['c1'], { pads: [1, 1, 1, 1] }),
        makeNode('Relu', ['c1'], ['r1']),
        makeNode('Conv', ['r1', 'w2'], ['c2'], { pads: [1, 1, 1, 1] }),
        makeNode('Add', ['c2', 'r1'], ['s']),
        makeNode('Relu', ['s'], ['r2']),
        makeNode('GlobalAveragePool', ['r2'], ['p']),
        makeNode('Flatten', ['p'], ['f']),
        makeNode('Gemm', ['f', 'wf'], ['y'], { transB: 1 }),
      ],
      inits: [floatInit('w1', [8, 2, 3, 3], randn(144, r, 0.4)), floatInit('w2', [8, 8, 3, 3], randn(576, r, 0.2)), floatInit('wf', [3, 8], randn(24, r))],
      out: 'y',
    });
    const x = Float32Array.from(randn(50, r), Math.abs);
    const rt = runtimeFor('native');
    for (const name of ['epsilon', 'epsilon-plus-flat', 'epsilon-alpha2-beta1'] as const) {
      const g = buildGradientGraph(serializeModel(m), { rules: lrpComposite(name) });
      const s = await rt.createSession(g.bytes);
      const out = await s.run({ x: { data: x, shape: [1, 2, 5, 5] }, [GRAD_IO.target]: { data: oneHot([0], 3), shape: [1, 3] } });
      await s.dispose();
      const sum = out[GRAD_IO.inputGrad].data.reduce((a, b) => a + b, 0);
      // Relevance starts at 1 (one-hot); without biases no layer absorbs any, and x >= 0 keeps ZPlus / AlphaBeta exact.
      expect(Math.abs(sum - 1), name).toBeLessThan(1e-4);
    }
  });

  it('folding BatchNorm keeps the logits (vs the exporter-folded vgglike_fused.onnx)', async () => {
    const folded = serializeModel(foldBatchNorm(parseModel(refModelBytes('vgglike'))));
    expect(parseModel(folded).graph!.node.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const fused = new Uint8Array(readFileSync(`${REF_DIR}/models/vgglike_fused.onnx`));
    const rt = runtimeFor('native');
    const c = refCases('vgglike')[0];
    const a = await rt.createSession(folded);
    const b = await rt.createSession(fused);
    const ya = (await a.run({ input: refInput(c) })).logits.data;
    const yb = (await b.run({ input: refInput(c) })).logits.data;
    expectAllClose(ya, yb, { atol: 1e-4, rtol: 1e-4 });
    await a.dispose();
    await b.dispose();
  });

  afterAll(() => {
    console.log(`worst relative L2 per model|composite|backend\n${[...worst.entries()].map(([k, v]) => `${k.padEnd(50)} ${v.toExponential(2)}`).join('\n')}`);
  });
});
