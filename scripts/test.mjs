// `npm test`: builds what the tests load (compiled CLI, the Worker's wasm and assets, cross-runtime
// fixtures), then runs the Node suite, the workerd suite (vitest-pool-workers) and prints one total line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  console.log(`\n$ ${[cmd, ...args].join(' ')}`);
  // The site was just built by prepare-worker: the site tests reuse it.
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { WRANGLER_SEND_METRICS: 'false', XAI_SITE_SKIP_BUILD: '1', ...process.env }, ...opts });
  return r.status ?? 1;
};
const npx = (bin, args) => run(process.execPath, [join(root, 'node_modules', '.bin', bin), ...args]);

const steps = [
  () => npx('tsc', ['-p', 'tsconfig.json']),
  () => run(process.execPath, ['scripts/prepare-worker.mjs']),
  () => run(process.execPath, ['scripts/make-fixtures.mjs']),
  () => run(process.execPath, ['scripts/make-gradient-fixtures.mjs']),
  () => npx('tsc', ['-p', 'functions/tsconfig.json']),
];
for (const step of steps) {
  const code = step();
  if (code !== 0) process.exit(code);
}

const out = mkdtempSync(join(tmpdir(), 'xai-test-'));
const suites = [
  ['node', 'vitest.node.config.mts'],
  ['workerd', 'vitest.config.mts'],
];
let passed = 0;
let failed = 0;
let status = 0;
const filter = process.argv.slice(2);
for (const [name, config] of suites) {
  const json = join(out, `${name}.json`);
  const code = npx('vitest', ['run', '--config', config, ...(filter.length ? ['--passWithNoTests'] : []), '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...filter]);
  if (existsSync(json)) {
    const r = JSON.parse(readFileSync(json, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    console.log(`${name} suite: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  }
  if (code !== 0) status = code;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(status || (failed ? 1 : 0));
