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
