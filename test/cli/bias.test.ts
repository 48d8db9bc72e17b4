// `xai bias`: correlations of a CelebA-format file, the bias view on generated portraits (flags the designed
// lipstick ~ long hair bias of the committed model, and nothing else), and exit 2 for malformed input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const xai = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/xai.js'), ...args], { encoding: 'utf8', cwd: root });

describe('xai bias', () => {
  it('prints the phi matrix of an attribute file, equal to a hand count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xai-bias-'));
    // a and b agree on 3 of 4 rows: n11=1, n00=2, n10=1, n01=0 -> phi = (1*2 - 1*0) / sqrt(2*2*1*3) = 0.577
    writeFileSync(join(dir, 'attr.txt'), '4\na b\n1.png 1 1\n2.png 1 -1\n3.png -1 -1\n4.png -1  -1\n');
    const r = xai('bias', '--attributes', join(dir, 'attr.txt'), '--json');
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.images).toBe(4);
    expect(json.correlation.data.cells[0][1].phi).toBeCloseTo(2 / Math.sqrt(12), 10);
    expect(json.correlation.data.cells[0][1]).toMatchObject({ n11: 1, n10: 1, n01: 0, n00: 2 });
  });

  it('exit 2 naming the problem for malformed files and bad flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xai-bias-'));
    const cases: [string, RegExp][] = [
      ['3\na b\n1.png 1 1\n', /line/],
      ['1\na b\n1.png 1 2\n', /line 3/],
      ['', /empty/i],
    ];
    for (const [text, msg] of cases) {
      writeFileSync(join(dir, 'bad.txt'), text);
      const r = xai('bias', '--attributes', join(dir, 'bad.txt'));
      expect(r.status, text).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const s = xai('bias', '--split', 'validation');
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/--split "validation" is not a split; allowed: train, test, unbiased/);
  });

  it('flags lipstick (evidence in the long-hair region) on the committed model, and nothing else', () => {
    const r = xai('bias', '--count', '300', '--evidence', '80', '--json', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.flags.map((f: { attribute: string }) => f.attribute)).toEqual(['lipstick']);
    expect(json.flags[0].region).toBe('long_hair');
    expect(json.flags[0].trainPhi).toBeGreaterThan(0.7);
    expect(json.accuracy.hat).toBeGreaterThan(0.95);
    expect(json.accuracy.lipstick).toBeLessThan(0.7);
  }, 180_000);
});

describe('biasOnGenerated --shards', () => {
  it('the same report and flags with 1 and 3 shards (<= 1e-9), explained by the training phi', async () => {
    const { readFile } = await import('node:fs/promises');
    const { biasOnGenerated } = await import('../../src/cli/bias.js');
    const { LoadedModel } = await import('../../src/core/models/loaded-model.js');
    const { parseManifest } = await import('../../src/core/models/manifest.js');
    const { createNodeRuntime } = await import('../../src/core/runtime/node.js');
    const dir = join(root, 'models/bias-attributes');
    const model = new LoadedModel(parseManifest(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'))), new Uint8Array(await readFile(join(dir, 'model.onnx'))), createNodeRuntime({ threads: 2 }));
    const sink = () => ({ text: '', write(s: string) { this.text += s; return true; } });
    const progress: number[] = [];
    try {
      const runs = [];
      for (const shards of [1, 3]) {
        const out = sink();
        const r = await biasOnGenerated(model, { count: 150, evidence: 40, shards, json: true }, { update: (d) => progress.push(d), finish() {} }, out as unknown as NodeJS.WritableStream);
        runs.push({ r, json: JSON.parse(out.text) });
      }
      const [a, b] = runs;
      // the same flags; shares equal up to float64 summation order
      const strip = (fs: { share: number }[]) => fs.map(({ share, ...rest }) => ({ ...rest, share: Number(share.toFixed(9)) }));
      expect(strip(b.json.flags)).toEqual(strip(a.json.flags));
      expect(a.json.flags.map((f: { attribute: string }) => f.attribute)).toEqual(['lipstick']);
      expect(a.r.evidence!.attributes.find((e) => e.attribute === 'lipstick')!.explanation!.dataPhi!).toBeGreaterThan(0.7);
      let worst = 0;
      a.r.evidence!.attributes.forEach((e, i) => {
        const f = b.r.evidence!.attributes[i];
        for (let p = 0; p < e.map.length; p++) worst = Math.max(worst, Math.abs(e.map[p] - f.map[p]));
        for (const g of Object.keys(e.shares)) worst = Math.max(worst, Math.abs(e.shares[g] - f.shares[g]));
      });
      expect(worst).toBeLessThanOrEqual(1e-9);
      expect(progress).toContain(40);
    } finally {
      await model.dispose();
    }
  }, 120_000);
});
