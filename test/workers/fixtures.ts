// Typed access to the cross-runtime fixtures written by scripts/make-fixtures.mjs (run by `npm test`).
import raw from './generated/fixtures.json' with { type: 'json' };

export interface Fixtures {
  samples: { file: string; label: number; labelName: string; testIndex: number; base64: string }[];
  models: Record<string, { native: { shape: number[]; logits: number[] }; wasm: { shape: number[]; logits: number[] } }>;
}

export const fixtures = raw as unknown as Fixtures;
