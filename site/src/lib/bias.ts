// Build-time access to the precomputed dataset-bias view (site/public/bias, written by scripts/build-bias.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../public/bias/', import.meta.url));

/** One phi cell with its 2x2 counts and its coolwarm colour (bg) and readable text colour (fg). */
export interface BiasCell { phi: number | null; n11: number; n10: number; n01: number; n00: number; bg: string; fg: string }
export interface BiasMatrix { names: string[]; n: number; cells: BiasCell[][] }
export interface BiasDiffCell { diff: number | null; bg: string; fg: string }
export interface BiasAttribute {
  attribute: string; region: string; images: number; map: string; mapSize: { width: number; height: number };
  shares: Record<string, number>; outside: number; ownShare: number; topRegion: string | null; accuracy: number; flagged: boolean;
  flag?: { region: string; share: number; trainPhi: number | null; modelPhi: number | null; text: string };
}
export interface BiasView {
  model: { id: string; title: string };
  method: string;
  methodTitle: string;
  set: { seed: number; split: string; start: number; count: number };
  evidenceImages: number;
  shards: number;
  train: { seed: number; split: string; count: number };
  accuracy: Record<string, number>;
  names: string[];
  regions: string[];
  matrices: { labels: BiasMatrix; predictions: BiasMatrix; difference: { names: string[]; cells: BiasDiffCell[][] }; train: BiasMatrix };
  attributes: BiasAttribute[];
  flagged: string[];
  legend: { coolwarm: string; viridis: string };
  build: { ms: number; predictMs: number; evidenceMs: number };
}

export function biasView(): BiasView {
  const p = dir + 'bias.json';
  if (!existsSync(p)) throw new Error(`${p} is missing: run node scripts/build-site.mjs (it runs scripts/build-bias.mjs)`);
  return JSON.parse(readFileSync(p, 'utf8')) as BiasView;
}

/** Attribute names for people: "long_hair" -> "long hair". */
export const human = (name: string): string => name.replace(/_/g, ' ');

/** Short names for the matrices' rows and columns, so a 6x6 table fits a phone. */
export const SHORT: Readonly<Record<string, string>> = { hat: 'hat', long_hair: 'hair', glasses: 'glasses', beard: 'beard', rosy_cheeks: 'cheeks', lipstick: 'lips' };
export const short = (name: string): string => SHORT[name] ?? human(name);

/** phi with a sign and two decimals, "–" when undefined. */
export const fmtPhi = (v: number | null, signed = false): string => (v === null ? '–' : (signed && Number(v.toFixed(2)) > 0 ? '+' : '') + v.toFixed(2));

/** The data for the client script: per attribute, region shares in region order (plus outside). */
export interface BiasChartData {
  regions: string[];
  attributes: { attribute: string; shares: number[]; outside: number; own: number; culprit: number }[];
}
