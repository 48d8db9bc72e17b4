// Builds the static-assets folder the Worker serves (site/dist): the dashboard (a placeholder page until the
// Astro site exists), and every committed model under /models/ with an index.json listing them.
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'site', 'dist');
mkdirSync(out, { recursive: true });

const modelsDir = join(root, 'models');
const ids = readdirSync(modelsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(modelsDir, e.name, 'manifest.json')) && existsSync(join(modelsDir, e.name, 'model.onnx')))
  .map((e) => e.name)
  .sort();
for (const id of ids) {
  mkdirSync(join(out, 'models', id), { recursive: true });
  cpSync(join(modelsDir, id, 'manifest.json'), join(out, 'models', id, 'manifest.json'));
  cpSync(join(modelsDir, id, 'model.onnx'), join(out, 'models', id, 'model.onnx'));
}
writeFileSync(join(out, 'models', 'index.json'), JSON.stringify({ models: ids }, null, 2) + '\n');
if (existsSync(join(modelsDir, 'samples'))) cpSync(join(modelsDir, 'samples'), join(out, 'samples'), { recursive: true });

if (!existsSync(join(out, 'index.html'))) {
  writeFileSync(
    join(out, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>xai-edge</title>
<h1>xai-edge</h1>
<p>The dashboard is not built yet. The API answers under <code>/api/</code>:
<a href="/api/health">/api/health</a>, <code>POST /api/predict</code>.</p>
<p>Models: ${ids.map((id) => `<a href="/models/${id}/manifest.json">${id}</a>`).join(', ')}</p>
`,
  );
}
console.log(`assets -> ${out} (models: ${ids.join(', ') || 'none'})`);
