/**
 * Access to /work/shared/reference (Captum/Zennit attributions for ONNX models exported from PyTorch): the
 * manifest's cases, raw float32 .bin files, model bytes, and a LoadedModel with a minimal ModelManifest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadedModel } from '../../../src/core/models/loaded-model.js';
import type { ModelManifest } from '../../../src/core/models/manifest.js';
import type { Runtime } from '../../../src/core/runtime/types.js';
import type { Tensor } from '../../../src/core/tensor.js';
import { REFERENCE_DATA_DIR } from '../../helpers/reference-dir.js';

export const REF_DIR = REFERENCE_DATA_DIR;

interface RefAttribution {
  method: string;
  file: string;
  shape: number[];
  target: number;
  completeness?: { sum_attributions: number; logit_x: number; logit_baseline: number; logit_diff: number };
}
export interface RefCase {
  id: string;
  model: string;
  input: string;
  input_file: string;
  input_shape: number[];
  target: number;
  logits: number[];
  attributions: RefAttribution[];
}
interface RefManifest {
  models: Record<string, { file: string; num_classes: number; input_shape: (number | null)[]; gradcam_layers?: { last_conv?: { onnx_output: string } } }>;
  cases: RefCase[];
}

let manifest: RefManifest | undefined;
export function refManifest(): RefManifest {
  manifest ??= JSON.parse(readFileSync(join(REF_DIR, 'manifest.json'), 'utf8')) as RefManifest;
  return manifest;
}

export function readBin(file: string): Float32Array {
  const b = readFileSync(join(REF_DIR, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function refCases(model?: string): RefCase[] {
  return refManifest().cases.filter((c) => !model || c.model === model);
}

export function refInput(c: RefCase): Tensor {
  return { data: readBin(c.input_file), shape: c.input_shape };
}

export function refAttribution(c: RefCase, method: string): { data: Float32Array; shape: number[]; meta: RefAttribution } {
  const a = c.attributions.find((x) => x.method === method);
  if (!a) throw new Error(`no ${method} in ${c.id}`);
  return { data: readBin(a.file), shape: a.shape, meta: a };
}

export function refModelBytes(model: string): Uint8Array {
  return new Uint8Array(readFileSync(join(REF_DIR, refManifest().models[model].file)));
}

export function camLayer(model: string): string {
  return refManifest().models[model].gradcam_layers!.last_conv!.onnx_output;
}

/** A LoadedModel over a reference model with a minimal manifest (the reference models ship none). */
export function refLoadedModel(model: string, runtime: Runtime): LoadedModel {
  const m = refManifest().models[model];
  const [, c, h, w] = m.input_shape as number[];
  const manifest: ModelManifest = {
    id: model.replace(/_/g, '-'),
    title: model,
    task: 'classification',
    input: { name: 'input', shape: [-1, c, h, w], layout: 'NCHW' },
    output: { name: 'logits', kind: 'logits' },
    preprocessing: { size: [h, w], resize: 'bilinear', channels: c === 1 ? 'gray' : 'rgb', scale: 1, mean: [0], std: [1] },
    labels: Array.from({ length: m.num_classes }, (_, i) => `class${i}`),
    camLayer: m.gradcam_layers?.last_conv?.onnx_output,
    source: 'reference',
    license: 'MIT',
  };
  return new LoadedModel(manifest, refModelBytes(model), runtime);
}
