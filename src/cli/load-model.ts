/**
 * How the CLI gets a model: a registry id (models/<id>/), or any .onnx file plus flags describing its input
 * (without a manifest the caller says how to preprocess, or passes a ready tensor).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, NotFoundError } from '../core/errors.js';
import { FsModelStore } from '../core/models/fs-store.js';
import { LoadedModel } from '../core/models/loaded-model.js';
import { parseManifest, type ModelManifest } from '../core/models/manifest.js';
import type { Runtime } from '../core/runtime/types.js';

/** The committed models folder of this package (overridable with --models-dir or XAI_MODELS_DIR). */
export function defaultModelsDir(): string {
  return process.env.XAI_MODELS_DIR ?? fileURLToPath(new URL('../../models/', import.meta.url));
}

export interface AdHocInputFlags {
  size?: string;
  channels?: string;
  mean?: string;
  std?: string;
  labels?: string;
}

function numberList(flag: string, v: string | undefined, fallback: number[]): number[] {
  if (v === undefined) return fallback;
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) {
    throw new InvalidInputError(`--${flag} "${v}" is not a comma-separated list of numbers`, { param: flag });
  }
  return xs;
}

/** Build a manifest for a bare .onnx file from its declared input/output and the flags given. */
async function adHocManifest(path: string, runtime: Runtime, bytes: Uint8Array, flags: AdHocInputFlags): Promise<ModelManifest> {
  const session = await runtime.createSession(bytes);
  try {
    const input = session.inputs[0];
    const output = session.outputs[0];
    if (session.inputs.length !== 1) {
      throw new InvalidInputError(`${path} has ${session.inputs.length} inputs; only single-input image models are supported`, { param: 'model' });
    }
    const dims = input.dims ?? [];
    if (dims.length !== 4) throw new InvalidInputError(`${path}: input "${input.name}" has rank ${dims.length}; an NCHW image input of rank 4 is needed`, { param: 'model' });
    const num = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : undefined);
    let c = num(dims[1]);
    let h = num(dims[2]);
    let w = num(dims[3]);
    if (flags.size) {
      const m = /^(\d+)x(\d+)$/.exec(flags.size);
      if (!m) throw new InvalidInputError(`--size "${flags.size}" must look like 224x224 (height x width)`, { param: 'size' });
      h = Number(m[1]);
      w = Number(m[2]);
    }
    if (flags.channels) c = flags.channels === 'gray' ? 1 : 3;
    if (!c || !h || !w) {
      throw new InvalidInputError(`${path}: input "${input.name}" has dynamic dims [${dims.join(', ')}]; give --size HxW and --channels gray|rgb`, { param: 'size' });
    }
    const channels = flags.channels ?? (c === 1 ? 'gray' : 'rgb');
    if (!['gray', 'rgb', 'bgr'].includes(channels)) throw new InvalidInputError(`--channels "${channels}"; allowed: gray, rgb, bgr`, { param: 'channels' });
    const outDims = output.dims ?? [];
    const classes = num(outDims[outDims.length - 1]);
    let labels: string[];
    if (flags.labels) {
      labels = (await readFile(flags.labels, 'utf8')).split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    } else if (classes) {
      labels = Array.from({ length: classes }, (_, i) => String(i));
    } else {
      throw new InvalidInputError(`${path}: output "${output.name}" has no fixed class count; give --labels FILE (one label per line)`, { param: 'labels' });
    }
    const fixedBatch = typeof dims[0] === 'number' && dims[0] > 0 ? dims[0] : -1;
    return parseManifest(
      {
        id: basename(path, '.onnx').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 64) || 'model',
        title: basename(path),
        task: 'classification',
        input: { name: input.name, shape: [fixedBatch, c, h, w], layout: 'NCHW' },
        output: { name: output.name, kind: 'logits' },
        preprocessing: {
          size: [h, w],
          resize: 'bilinear',
          channels,
          scale: 1,
          mean: numberList('mean', flags.mean, [0]),
          std: numberList('std', flags.std, [1]),
        },
        labels,
        source: path,
        license: 'unknown',
      },
      `${path} with command-line flags`,
    );
  } finally {
    await session.dispose();
  }
}

/** Resolve `--model` to a LoadedModel. */
export async function loadModel(spec: string, runtime: Runtime, modelsDir: string, flags: AdHocInputFlags = {}): Promise<LoadedModel> {
  if (spec.endsWith('.onnx') || spec.includes('/')) {
    if (!existsSync(spec)) throw new NotFoundError(`--model file "${spec}" does not exist`, { param: 'model' });
    const bytes = new Uint8Array(await readFile(spec));
    return new LoadedModel(await adHocManifest(spec, runtime, bytes, flags), bytes, runtime);
  }
  const store = new FsModelStore(modelsDir);
  const ids = await store.ids();
  if (!ids.includes(spec)) {
    throw new NotFoundError(`unknown model "${spec}"; available: ${ids.join(', ') || '(none)'} (in ${modelsDir}), or a path to an .onnx file`, { param: 'model' });
  }
  return new LoadedModel(await store.manifest(spec), await store.modelBytes(spec), runtime);
}
