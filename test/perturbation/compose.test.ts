// The two ways of composing perturbed inputs (compose.ts) agree: the graph variant of a real model fed keep
// masks gives the same scores as composing in JavaScript and running the plain model, for binary and
// fractional masks, one keep channel or one per channel, without the Add for a zero fill, and with keep masks
// as factors multiplied out in the graph (RISE's masks: their product is riseMask's mask up to float32
// rounding, and RISE maps agree either way).
import { describe, expect, it } from 'vitest';
import { composeDelta, composeJs, composeSession, DELTA, FILL, isZeroFill, KEEP, KEEP_LEFT, KEEP_RIGHT } from '../../src/core/perturbation/compose.js';
import { explainWith, mergeWith, planWith, runShardWith } from '../../src/core/perturbation/engine.js';
import { riseFactors, riseMask, riseTables } from '../../src/core/perturbation/rise-masks.js';
import { LoadedModel } from '../../src/core/models/loaded-model.js';
import { riseMethod } from '../../src/explainers/rise.js';
import { maxAbs, maxAbsDiff, referenceInput, referenceModel, request } from './helpers.js';

describe('compose', () => {
  it('graph and JavaScript composition give the same model outputs', async () => {
    const model = referenceModel('tinycnn');
    try {
      const x = referenceInput('tinycnn', 'astronaut_32');
      const fill = Float32Array.from({ length: 3 * 1024 }, (_, i) => Math.cos(i * 0.01) * 0.7);
      const composed = (await composeSession(model, { force: true }))!;
      const plain = await model.session();
      for (const kc of [1, 3]) {
        const n = 6;
        const keep = Float32Array.from({ length: n * kc * 1024 }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : Math.abs(Math.sin(i))));
        const a = (await composed.run({ [KEEP]: { data: keep, shape: [n, kc, 32, 32] }, [DELTA]: { data: composeDelta(x.data, fill), shape: [1, 3, 32, 32] }, [FILL]: { data: fill, shape: [1, 3, 32, 32] } }, ['logits'])).logits.data;
        const inputs = new Float32Array(n * 3 * 1024);
        composeJs(keep, kc, composeDelta(x.data, fill), fill, 3, 1024, n, inputs);
        const b = (await plain.run({ input: { data: inputs, shape: [n, 3, 32, 32] } }, ['logits'])).logits.data;
        expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-6 * maxAbs(b));
      }
    } finally {
      await model.dispose();
    }
  });

  it('the zero-fill graph (no Add) gives the outputs of composing over a zero fill in JavaScript', async () => {
    const model = referenceModel('tinycnn');
    try {
      const x = referenceInput('tinycnn', 'astronaut_32');
      const fill = new Float32Array(3 * 1024);
      expect(isZeroFill(fill)).toBe(true);
      expect(isZeroFill(Float32Array.of(0, 0, 1e-30))).toBe(false);
      const composed = (await composeSession(model, { force: true, zeroFill: true }))!;
      expect(composed.inputs.map((i) => i.name)).toEqual([KEEP, DELTA]);
      const plain = await model.session();
      const n = 5;
      const keep = Float32Array.from({ length: n * 1024 }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : Math.abs(Math.sin(i))));
      const a = (await composed.run({ [KEEP]: { data: keep, shape: [n, 1, 32, 32] }, [DELTA]: { data: composeDelta(x.data, fill), shape: [1, 3, 32, 32] } }, ['logits'])).logits.data;
      const inputs = new Float32Array(n * 3 * 1024);
      composeJs(keep, 1, composeDelta(x.data, fill), fill, 3, 1024, n, inputs);
      const b = (await plain.run({ input: { data: inputs, shape: [n, 3, 32, 32] } }, ['logits'])).logits.data;
      expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-6 * maxAbs(b));
    } finally {
      await model.dispose();
    }
  });

  it('factored keep masks (keep = left x right) give the outputs of composing their product in JavaScript', async () => {
    const model = referenceModel('tinycnn');
    try {
      const x = referenceInput('tinycnn', 'astronaut_32');
      const fill = Float32Array.from({ length: 3 * 1024 }, (_, i) => Math.sin(i * 0.02) * 0.5);
      const plain = await model.session();
      const n = 4;
      const r = 5;
      const left = Float32Array.from({ length: n * 32 * r }, (_, i) => Math.abs(Math.cos(i * 0.7)) / r);
      const right = Float32Array.from({ length: n * r * 32 }, (_, i) => (i % 4 === 0 ? 0 : Math.abs(Math.sin(i * 1.3))));
      const keep = new Float32Array(n * 1024);
      for (let j = 0; j < n; j++) {
        for (let y = 0; y < 32; y++) {
          for (let xx = 0; xx < 32; xx++) {
            let v = 0;
            for (let k = 0; k < r; k++) v += left[(j * 32 + y) * r + k] * right[(j * r + k) * 32 + xx];
            keep[j * 1024 + y * 32 + xx] = v;
          }
        }
      }
      for (const zeroFill of [false, true]) {
        const f = zeroFill ? new Float32Array(3 * 1024) : fill;
        const composed = (await composeSession(model, { force: true, factored: true, zeroFill }))!;
        const feeds = { [KEEP_LEFT]: { data: left, shape: [n, 32, r] }, [KEEP_RIGHT]: { data: right, shape: [n, r, 32] }, [DELTA]: { data: composeDelta(x.data, f), shape: [1, 3, 32, 32] }, ...(zeroFill ? {} : { [FILL]: { data: f, shape: [1, 3, 32, 32] } }) };
        const a = (await composed.run(feeds, ['logits'])).logits.data;
        const inputs = new Float32Array(n * 3 * 1024);
        composeJs(keep, 1, composeDelta(x.data, f), f, 3, 1024, n, inputs);
        const b = (await plain.run({ input: { data: inputs, shape: [n, 3, 32, 32] } }, ['logits'])).logits.data;
        expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-6 * maxAbs(b));
      }
    } finally {
      await model.dispose();
    }
  });

  it("RISE's keep factors multiply out to riseMask's masks (up to float32 rounding of the factors)", () => {
    for (const [h, w, g] of [[28, 28, 7], [64, 64, 7], [224, 224, 7], [17, 30, 4]]) {
      const t = riseTables(h, w, g, 0.5);
      const mask = new Float32Array(h * w);
      const left = new Float32Array(h * g);
      const right = new Float32Array(g * w);
      for (let i = 0; i < 20; i++) {
        const s1 = riseMask(t, 5, i, mask, 0, new Float64Array(g * w), new Uint8Array(g * g));
        const s2 = riseFactors(t, 5, i, new Uint8Array(g * g), 0, left, 0, right, 0);
        expect(s2).toBe(s1);
        let worst = 0;
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            let v = 0;
            for (let k = 0; k < g; k++) v += left[y * g + k] * right[k * w + x];
            worst = Math.max(worst, Math.abs(v - mask[y * w + x]));
          }
        }
        expect(worst).toBeLessThanOrEqual(4e-7);
      }
    }
  });

  it('RISE composed in the graph from keep factors matches RISE composed in JavaScript, and shards still add up', async () => {
    // vgglike (3 x 64 x 64) composes in the graph; the same session behind a model without ONNX bytes cannot, so
    // it composes in JavaScript (riseCompose).
    const model = referenceModel('vgglike');
    try {
      const x = referenceInput('vgglike', 'astronaut_64');
      const session = await model.session();
      const jsOnly = new LoadedModel(model.manifest, new Uint8Array(0), { platform: 'node', describe: () => session.backend, createSession: async () => session });
      const params = { masks: 200, grid: 7, topClasses: 1 };
      const req = request(model, x, riseMethod, { target: 2, params, seed: 4, batchSize: 16 });
      const graph = await explainWith(riseMethod, req);
      const js = await explainWith(riseMethod, { ...req, model: jsOnly });
      expect(maxAbsDiff(graph.map, js.map)).toBeLessThanOrEqual(1e-5 * maxAbs(js.map));
      const plan = await planWith(riseMethod, req, 3);
      const partials = [];
      for (const sh of plan.shards) partials.push(await runShardWith(riseMethod, sh, { model, input: x }));
      expect(partials[0].backend).toContain('keep factors of rank 7');
      const merged = await mergeWith(riseMethod, plan, partials, { model, input: x });
      expect(maxAbsDiff(merged.map, graph.map)).toBeLessThanOrEqual(1e-6 * maxAbs(graph.map));
    } finally {
      await model.dispose();
    }
  });
});
