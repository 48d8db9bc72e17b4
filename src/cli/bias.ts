/**
 * `xai bias`: label correlations (phi) of an attribute file in CelebA format, or the full bias view of a
 * multi-label model on a generated portrait set (accuracy, data vs model correlations, where the model looks
 * for each attribute, flags). Zhang et al. (2018), "Examining CNN Representations with respect to Dataset Bias".
 */
import { InvalidInputError } from '../core/errors.js';
import { analyzeGeneratedSet, BIAS_SPLITS, correlationReport, explainerAttribution, generatedLabels, phiMatrix, type BiasReport, type BiasSplit, type PhiMatrix } from '../core/bias/index.js';
import { readAttributeFile } from '../core/bias/celeba-file.js';
import type { LoadedModel } from '../core/models/loaded-model.js';
import { getExplainer } from '../explainers/index.js';
import type { Progress } from './progress.js';

export interface BiasFlags {
  attributes?: string;
  split?: string;
  count?: number;
  seed?: number;
  method?: string;
  evidence?: number;
  /** Split the evidence pass into K image ranges, run concurrently and merged (same report as one range). */
  shards?: number;
  json?: boolean;
}

function formatMatrix(title: string, m: PhiMatrix): string {
  const w = Math.max(8, ...m.names.map((n) => n.length)) + 1;
  const head = ''.padEnd(w) + m.names.map((n) => n.slice(0, 8).padStart(9)).join('');
  const rows = m.names.map((n, i) => n.padEnd(w) + m.cells[i].map((c) => (c.phi === null ? '-' : c.phi.toFixed(2)).padStart(9)).join(''));
  return `${title}\n${head}\n${rows.join('\n')}\n`;
}

const toJson = (v: unknown): unknown => (v instanceof Float32Array || v instanceof Float64Array ? Array.from(v) : v);

/** Correlations of a CelebA-format attribute file. */
export async function biasFromFile(flags: BiasFlags, out: NodeJS.WritableStream): Promise<void> {
  const table = await readAttributeFile(flags.attributes!);
  const report = correlationReport(table);
  if (flags.json) out.write(JSON.stringify({ images: table.n, attributes: table.names, correlation: report }, (_, v) => toJson(v), 2) + '\n');
  else out.write(`${table.n} images, ${table.names.length} attributes\n\n` + formatMatrix('label correlation (phi)', report.data));
}

/** The full bias view of a model on a generated set. */
export async function biasOnGenerated(model: LoadedModel, flags: BiasFlags, progress: Progress, out: NodeJS.WritableStream): Promise<BiasReport> {
  const split = (flags.split ?? 'unbiased') as BiasSplit;
  if (!(BIAS_SPLITS as readonly string[]).includes(split)) {
    throw new InvalidInputError(`--split "${split}" is not a split; allowed: ${BIAS_SPLITS.join(', ')}`, { param: 'split' });
  }
  const method = flags.method ?? 'grad-cam';
  const spec = getExplainer(method);
  const count = flags.count ?? 500;
  // The correlation that explains a flag is the one the model was trained on: the biased training split.
  const trainPhi = phiMatrix(generatedLabels({ seed: flags.seed ?? 0, split: 'train', count: Math.max(count, 2000) }));
  const report = await analyzeGeneratedSet(
    model,
    { seed: flags.seed ?? 0, split, count },
    {
      attribution: explainerAttribution(spec, model),
      evidenceCount: Math.min(flags.evidence ?? 200, count),
      shards: flags.shards ?? 1,
      explainPhi: trainPhi,
      onProgress: (_phase, d, t) => progress.update(d, t),
    },
  );
  progress.finish();
  const phiOf = (a: string, b: string) => trainPhi.cells[trainPhi.names.indexOf(a)]?.[trainPhi.names.indexOf(b)]?.phi ?? null;
  if (flags.json) {
    const flags2 = (report.evidence?.attributes ?? []).filter((a) => a.flagged).map((a) => ({ attribute: a.attribute, region: a.explanation?.region, share: a.explanation?.share, trainPhi: a.explanation ? phiOf(a.attribute, a.explanation.region) : null, modelPhi: a.explanation?.modelPhi ?? null }));
    out.write(JSON.stringify({ model: model.id, method, ...report, trainCorrelation: trainPhi, flags: flags2 }, (_, v) => toJson(v), 2) + '\n');
    return report;
  }
  out.write(`model ${model.id}, ${split} split, ${count} generated images (seed ${report.set.seed}), evidence by ${method}\n\n`);
  out.write('accuracy: ' + Object.entries(report.accuracy).map(([a, v]) => `${a} ${(v * 100).toFixed(1)}%`).join(', ') + '\n\n');
  out.write(formatMatrix('label correlation (phi) in the data', report.correlation.data) + '\n');
  if (report.correlation.model) out.write(formatMatrix('correlation (phi) of the model predictions', report.correlation.model) + '\n');
  for (const a of report.evidence?.attributes ?? []) {
    const line = `${a.attribute.padEnd(12)} own region ${(a.ownShare * 100).toFixed(0).padStart(3)}%  top region ${a.topRegion ?? '-'}`;
    const e = a.explanation;
    const why = e ? `  FLAGGED: evidence in ${e.region} (${(e.share * 100).toFixed(0)}%); training-data phi(${a.attribute}, ${e.region}) ${phiOf(a.attribute, e.region)?.toFixed(2) ?? '-'}, model phi ${e.modelPhi?.toFixed(2) ?? '-'}` : '';
    out.write(line + why + '\n');
  }
  return report;
}
