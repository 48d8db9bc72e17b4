// The `xai` command as users run it (the compiled bin/xai.js): models, methods, predict on the committed
// sample set, and the exit-code contract for bad usage.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const samplesDir = join(root, 'models/samples/fmnist');
const samples = JSON.parse(readFileSync(join(samplesDir, 'index.json'), 'utf8')) as { file: string; label: number }[];

function xai(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/xai.js'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('xai CLI', () => {
  it('lists the committed models with their accuracy', () => {
    const r = xai('models', '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; metrics: { testAccuracy: number } }[];
    expect(list.map((m) => m.id)).toEqual(expect.arrayContaining(['fmnist-cnn', 'fmnist-resnet']));
    for (const m of list.filter((m) => m.id.startsWith('fmnist-'))) expect(m.metrics.testAccuracy).toBeGreaterThanOrEqual(0.91);
    expect(xai('models').stdout).toMatch(/fmnist-cnn .*test accuracy 9\d\.\d\d%/);
  });

  it('lists methods as JSON with the common options', () => {
    const r = xai('methods', '--json');
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as { common: { name: string }[]; methods: unknown[] };
    expect(t.common.map((p) => p.name)).toEqual(['target', 'layer', 'seed', 'batchSize']);
    expect(Array.isArray(t.methods)).toBe(true);
  });

  for (const model of ['fmnist-cnn', 'fmnist-resnet']) {
    it(`${model} classifies the 100 committed samples with >= 90% accuracy through the CLI`, () => {
      // One process per image would take minutes; the CLI takes one image, so sample every 5th for the
      // per-image path and check all 100 through the library path in test/models.
      let correct = 0;
      const some = samples.filter((_, i) => i % 5 === 0);
      for (const s of some) {
        const r = xai('predict', '--model', model, '--image', join(samplesDir, s.file), '--json');
        expect(r.code, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout) as { top: { index: number; probability: number; label: string }[]; backend: { backend: string } };
        expect(out.top).toHaveLength(5);
        expect(out.backend.backend).toBe('native');
        if (out.top[0].index === s.label) correct++;
      }
      expect(correct / some.length).toBeGreaterThanOrEqual(0.9);
    });
  }

  it('predict prints a top-5 table and the wasm backend gives the same ranking', () => {
    const img = join(samplesDir, samples[0].file);
    const native = xai('predict', '--model', 'fmnist-cnn', '--image', img);
    expect(native.code).toBe(0);
    expect(native.stdout.trim().split('\n')).toHaveLength(5);
    const a = JSON.parse(xai('predict', '--model', 'fmnist-cnn', '--image', img, '--json').stdout);
    const b = JSON.parse(xai('predict', '--model', 'fmnist-cnn', '--image', img, '--json', '--backend', 'wasm', '--threads', '1').stdout);
    expect(b.backend.backend).toBe('wasm');
    expect(b.top.map((t: { index: number }) => t.index)).toEqual(a.top.map((t: { index: number }) => t.index));
    for (let i = 0; i < 5; i++) expect(Math.abs(b.top[i].probability - a.top[i].probability)).toBeLessThan(1e-6);
  });

  it('predict accepts a raw float32 tensor and a bare .onnx file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xai-cli-'));
    const t = new Float32Array(28 * 28).fill(0);
    writeFileSync(join(dir, 'x.bin'), new Uint8Array(t.buffer));
    const r = xai('predict', '--model', 'fmnist-cnn', '--tensor', join(dir, 'x.bin'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const bare = xai('predict', '--model', join(root, 'models/fmnist-cnn/model.onnx'), '--tensor', join(dir, 'x.bin'), '--json');
    expect(bare.code, bare.stderr).toBe(0);
    expect(JSON.parse(bare.stdout).top[0].index).toBe(JSON.parse(r.stdout).top[0].index);
    writeFileSync(join(dir, 'short.bin'), new Uint8Array(100));
    const short = xai('predict', '--model', 'fmnist-cnn', '--tensor', join(dir, 'short.bin'));
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/100 bytes.*float32 \[1, 1, 28, 28\] = 3136 bytes/);
  });

  it('exit code 2 with a message naming the flag, the value and what is allowed', () => {
    const img = join(samplesDir, samples[0].file);
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"; allowed: models, methods, predict, explain/],
      [['predict', '--model', 'fmnist-cnn', '--image', img, '--backend', 'gpu'], /--backend "gpu" is not available; allowed: auto, native, wasm/],
      [['predict', '--model', 'nope', '--image', img], /unknown model "nope"; available: .*fmnist-cnn, fmnist-resnet/],
      [['predict', '--model', 'fmnist-cnn', '--image', '/nonexistent.png'], /--image "\/nonexistent.png" cannot be read/],
      [['predict', '--model', 'fmnist-cnn', '--image', img, '--threads', 'x'], /--threads "x" must be an integer from 1 to 256/],
      [['predict', '--model', 'fmnist-cnn', '--image', join(root, 'package.json')], /image format not recognised .*; supported formats: PNG, JPEG/],
      [['predict', '--model', 'fmnist-cnn'], /give --image/],
      [['predict', '--bogus'], /Unknown option '--bogus'/],
      [['explain', '--model', 'fmnist-cnn', '--image', img, '--method', 'nope'], /unknown method "nope"; available: /],
    ];
    for (const [args, msg] of cases) {
      const r = xai(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(msg);
    }
  });
});

describe('xai explain', () => {
  const img = join(samplesDir, samples[0].file);
  it('writes the raw attribution, the JSON summary and a PNG; the raw file equals the library result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xai-explain-'));
    const r = xai('explain', '--model', 'fmnist-cnn', '--image', img, '--method', 'saliency', '--param', 'abs=false', '--out-raw', join(dir, 'a.bin'), '--out-json', join(dir, 'a.json'), '--out-png', join(dir, 'a.png'), '--quiet');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const raw = new Float32Array(new Uint8Array(readFileSync(join(dir, 'a.bin'))).buffer);
    const json = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
    expect(json).toMatchObject({ method: 'saliency', model: 'fmnist-cnn', target: samples[0].label, params: { abs: false, reduce: 'max-abs' }, shape: [1, 1, 28, 28] });
    expect(json.attribution).toHaveLength(28 * 28);
    // One channel: the reduced map is the raw gradient itself.
    for (let i = 0; i < raw.length; i++) expect(json.attribution[i]).toBeCloseTo(raw[i], 6);
    const { explain } = await import('../../src/core/explain.js');
    const { loadModel } = await import('../../src/cli/load-model.js');
    const { createNodeRuntime } = await import('../../src/core/runtime/node.js');
    const { decodeImage, imageToTensor } = await import('../../src/core/image/index.js');
    const model = await loadModel('fmnist-cnn', createNodeRuntime({ backend: 'native' }), join(root, 'models'));
    const lib = await explain(model, imageToTensor(decodeImage(new Uint8Array(readFileSync(img))), model.manifest.preprocessing), { method: 'saliency', params: { abs: false } });
    expect(Array.from(raw)).toEqual(Array.from(lib.explanation.attribution.data));
    await model.dispose();
    const png = readFileSync(join(dir, 'a.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('CAM methods write layer-shaped raw output unless upsample=true', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xai-explain-'));
    expect(xai('explain', '--model', 'fmnist-cnn', '--image', img, '--method', 'grad-cam', '--out-raw', join(dir, 'g.bin'), '--quiet').code).toBe(0);
    expect(readFileSync(join(dir, 'g.bin')).length).toBe(14 * 14 * 4);
    expect(xai('explain', '--model', 'fmnist-cnn', '--image', img, '--method', 'grad-cam', '--param', 'upsample=true', '--out-raw', join(dir, 'u.bin'), '--quiet').code).toBe(0);
    expect(readFileSync(join(dir, 'u.bin')).length).toBe(28 * 28 * 4);
  });

  it('names bad method parameters and targets (exit 2)', () => {
    const a = xai('explain', '--model', 'fmnist-cnn', '--image', img, '--method', 'saliency', '--param', 'reduce=median');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/parameter "reduce" got "median"; allowed: max-abs, sum, l2/);
    const b = xai('explain', '--model', 'fmnist-cnn', '--image', img, '--method', 'saliency', '--target', '12');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/target 12 is not a class/);
  });
});
