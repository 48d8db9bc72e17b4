// Build-time access to the precomputed gallery (site/public/gallery, written by scripts/build-gallery.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../public/gallery/', import.meta.url));

export interface Curve { auc: number; fractions: number[]; curve: number[] }
export interface GalleryEntry {
  model: string; image: string; method: string; taxonomy: string; label: number; target: number; targetLabel: string;
  predicted: { index: number; label: string; probability: number }; signed: boolean;
  overlay: string; overlaySize: { width: number; height: number }; heatmap: string; json: string;
}
export interface GalleryIndex {
  models: { id: string; title: string; labels: string[]; size: [number, number]; metrics: Record<string, unknown> | null }[];
  methods: { name: string; title: string; family: string; taxonomy: string; paper: string; params: Record<string, unknown> }[];
  taxonomy: Record<string, { label: string; blurb: string }>;
  images: { id: string; file: string; label: number; labelName: string }[];
  entries: GalleryEntry[];
  curveSteps: number;
}
export interface DetailMethod {
  method: string; title: string; taxonomy: string; signed: boolean; params: Record<string, unknown>; explainMs: number; passes: number;
  curves: { deletion: Curve; insertion: Curve }; overlay: string; overlaySize: { width: number; height: number }; heatmap: string; json: string;
}
export interface Detail {
  model: string; image: { id: string; file: string; label: number; labelName: string };
  prediction: { index: number; label: string; probability: number; score: number }[]; target: number; targetLabel: string;
  methods: DetailMethod[];
}
export interface MethodsTable {
  taxonomy: Record<string, { label: string; blurb: string }>;
  common: ParamSpec[];
  methods: { name: string; title: string; family: string; taxonomy: string; needsGradients: boolean; shardable: boolean; paper: string; description: string; params: ParamSpec[] }[];
}
export interface ParamSpec { name: string; type: string; description: string; default?: number | boolean | string; min?: number; max?: number; values?: string[] }

function read<T>(name: string): T {
  const p = dir + name;
  if (!existsSync(p)) throw new Error(`${p} is missing: run node scripts/build-site.mjs (it builds the gallery first)`);
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}

export const gallery = (): GalleryIndex => read('index.json');
export const methodsTable = (): MethodsTable => read('methods.json');
export const legend = (): { viridis: string; coolwarm: string } => read('legend.json');
export const detail = (model: string, image: string): Detail => read(`${model}/${image}.json`);
export const TAXONOMY_ORDER = ['perturbation', 'gradient', 'activation', 'representation'];
