// Build-time catalog for the interactive pages: committed models (manifests) and sample images.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const models = fileURLToPath(new URL('../../../models/', import.meta.url));

export interface ModelInfo { id: string; title: string; task: string; labels: string[]; size: [number, number]; channels: string; camLayer?: string; sampleSet: string }
export interface Sample { url: string; label: string; set: string }

export function modelInfos(): ModelInfo[] {
  return readdirSync(models, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(`${models}${e.name}/manifest.json`) && existsSync(`${models}${e.name}/model.onnx`))
    .map((e) => JSON.parse(readFileSync(`${models}${e.name}/manifest.json`, 'utf8')))
    .map((m) => ({ id: m.id, title: m.title, task: m.task, labels: m.labels, size: m.preprocessing.size, channels: m.preprocessing.channels, camLayer: m.camLayer, sampleSet: m.id.startsWith('fmnist') ? 'fmnist' : 'bias' }))
    .sort((a, b) => (a.id.startsWith('fmnist') === b.id.startsWith('fmnist') ? a.id.localeCompare(b.id) : a.id.startsWith('fmnist') ? -1 : 1));
}

export function samples(): Sample[] {
  const out: Sample[] = [];
  const fm = `${models}samples/fmnist/index.json`;
  if (existsSync(fm)) {
    const list = JSON.parse(readFileSync(fm, 'utf8')) as { file: string; labelName: string; testIndex: number }[];
    const seen = new Map<string, number>();
    for (const s of list) {
      const n = seen.get(s.labelName) ?? 0;
      if (n >= 2) continue;
      seen.set(s.labelName, n + 1);
      out.push({ url: `/samples/fmnist/${s.file}`, label: `${s.labelName} (test #${s.testIndex})`, set: 'fmnist' });
    }
  }
  const bias = `${models}samples/bias/`;
  if (existsSync(bias)) {
    for (const f of readdirSync(bias).filter((f) => f.endsWith('.png')).sort().slice(0, 8)) out.push({ url: `/samples/bias/${f}`, label: f.replace(/^bias_|\.png$/g, '').replace(/_/g, ' '), set: 'bias' });
  }
  return out;
}
