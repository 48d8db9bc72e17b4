/**
 * The `xai` command line: list models and methods, predict, explain. Exit codes: 0 success, 2 bad usage or
 * input (the message names the flag, the value and what is allowed), 1 runtime failure.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { InvalidInputError, XaiError, exitCodeFor } from '../core/errors.js';
import { explain } from '../core/explain.js';
import { decodeImage, imageToTensor, tensorToImage, type RasterImage } from '../core/image/index.js';
import { explanationPng } from '../core/render.js';
import type { LoadedModel } from '../core/models/loaded-model.js';
import { parseKeyValues } from '../core/params.js';
import { predict } from '../core/predict.js';
import { createNodeRuntime, NODE_BACKENDS, type NodeBackendChoice } from '../core/runtime/node.js';
import { sizeOf, type Tensor } from '../core/tensor.js';
import type { ShardExecutor } from '../core/perturbation/executors/types.js';
import { describeMethods } from '../explainers/describe.js';
import { defaultModelsDir, loadModel } from './load-model.js';
import { createProgress } from './progress.js';

const USAGE = `usage: xai <command> [options]

commands:
  models   [--json]                                  list the committed models
  methods  [--json]                                  list explanation methods and their parameters
  bias     --attributes <list_attr_celeba.txt> [--json]          label correlations of an attribute file
  bias     [--model bias-attributes] [--split unbiased] [--count 500] [--evidence 200] [--method grad-cam] [--shards K] [--json]
                                                     bias view of a multi-label model on generated portraits
  predict  --model <id|file.onnx> (--image <png|jpg> | --tensor <file.bin>) [--top K] [--json]
  explain  --model <id|file.onnx> (--image <png|jpg> | --tensor <file.bin>) --method <name>
           [--target <class>] [--layer <tensor>] [--param key=value]... [--seed N] [--batch-size N]
           [--shards K [--workers N | --endpoints URL,...]] [--out-png f.png] [--out-json f.json] [--out-raw f.bin]

common options:
  --backend auto|native|wasm   runtime in Node (default auto: native onnxruntime-node, else wasm)
  --threads N                  intra-op threads (default: all cores)
  --models-dir DIR             where model folders live (default: the package's models/)
  --quiet                      no progress output on stderr
  for a bare .onnx file: --size HxW --channels gray|rgb|bgr --mean a,b,c --std a,b,c --labels FILE`;

const OPTIONS = {
  json: { type: 'boolean' },
  model: { type: 'string' },
  image: { type: 'string' },
  tensor: { type: 'string' },
  method: { type: 'string' },
  target: { type: 'string' },
  layer: { type: 'string' },
  param: { type: 'string', multiple: true },
  seed: { type: 'string' },
  'batch-size': { type: 'string' },
  shards: { type: 'string' },
  workers: { type: 'string' },
  endpoints: { type: 'string' },
  top: { type: 'string' },
  'out-png': { type: 'string' },
  'out-json': { type: 'string' },
  'out-raw': { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  'models-dir': { type: 'string' },
  quiet: { type: 'boolean' },
  size: { type: 'string' },
  channels: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  labels: { type: 'string' },
  attributes: { type: 'string' },
  split: { type: 'string' },
  count: { type: 'string' },
  evidence: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function intFlag(flags: Flags, name: keyof Flags & string, min: number, max: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new InvalidInputError(`--${name} "${String(v)}" must be an integer from ${min} to ${max}`, { param: name });
  }
  return n;
}

function required(flags: Flags, name: 'model' | 'method'): string {
  const v = flags[name];
  if (!v) throw new InvalidInputError(`--${name} is required`, { param: name });
  return v;
}

interface Input {
  tensor: Tensor;
  image?: RasterImage;
}

async function readInput(flags: Flags, model: LoadedModel): Promise<Input> {
  if (flags.image && flags.tensor) throw new InvalidInputError('give either --image or --tensor, not both', { param: 'image' });
  if (flags.image) {
    const bytes = await readFile(flags.image).catch(() => {
      throw new InvalidInputError(`--image "${flags.image}" cannot be read`, { param: 'image' });
    });
    const image = decodeImage(new Uint8Array(bytes));
    return { tensor: imageToTensor(image, model.manifest.preprocessing), image };
  }
  if (flags.tensor) {
    const bytes = await readFile(flags.tensor).catch(() => {
      throw new InvalidInputError(`--tensor "${flags.tensor}" cannot be read`, { param: 'tensor' });
    });
    const shape = model.inputShape(1);
    if (bytes.length !== sizeOf(shape) * 4) {
      throw new InvalidInputError(
        `--tensor "${flags.tensor}" has ${bytes.length} bytes; model "${model.id}" needs little-endian float32 [${shape.join(', ')}] = ${sizeOf(shape) * 4} bytes`,
        { param: 'tensor' },
      );
    }
    const data = new Float32Array(sizeOf(shape));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    return { tensor: { data, shape } };
  }
  throw new InvalidInputError('give --image <png|jpg> or --tensor <file.bin>', { param: 'image' });
}

function float32Le(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
  return out;
}

async function openModel(flags: Flags): Promise<LoadedModel> {
  const backend = (flags.backend ?? 'auto') as NodeBackendChoice;
  if (!(NODE_BACKENDS as readonly string[]).includes(backend)) {
    throw new InvalidInputError(`--backend "${backend}" is not available; allowed: ${NODE_BACKENDS.join(', ')}`, { param: 'backend' });
  }
  const runtime = createNodeRuntime({ backend, threads: intFlag(flags, 'threads', 1, 256) });
  return loadModel(required(flags, 'model'), runtime, flags['models-dir'] ?? defaultModelsDir(), flags);
}

async function cmdModels(flags: Flags): Promise<void> {
  const { FsModelStore } = await import('../core/models/fs-store.js');
  const list = await new FsModelStore(flags['models-dir'] ?? defaultModelsDir()).list();
  if (flags.json) {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n');
    return;
  }
  for (const m of list) {
    const acc = m.metrics ? ` test accuracy ${(m.metrics.testAccuracy * 100).toFixed(2)}%` : '';
    process.stdout.write(`${m.id.padEnd(20)} ${m.title} [${m.input.shape.slice(1).join('x')}, ${m.labels.length} classes]${acc}\n`);
  }
}

function cmdMethods(flags: Flags): void {
  const table = describeMethods();
  if (flags.json) {
    process.stdout.write(JSON.stringify(table, null, 2) + '\n');
    return;
  }
  for (const m of table.methods) {
    process.stdout.write(`${m.name.padEnd(24)} ${m.family.padEnd(13)} ${m.title}${m.shardable ? ' (shardable)' : ''}\n`);
    for (const p of m.params) {
      const bounds = p.values ? `one of ${p.values.join('|')}` : [p.min !== undefined ? `>= ${p.min}` : '', p.max !== undefined ? `<= ${p.max}` : ''].filter(Boolean).join(', ');
      process.stdout.write(`    ${p.name.padEnd(16)} ${p.type.padEnd(8)} default ${String(p.default ?? '-').padEnd(10)} ${bounds}  ${p.description}\n`);
    }
  }
  if (table.methods.length === 0) process.stdout.write('(no methods yet)\n');
  process.stdout.write(`\ncommon options: ${table.common.map((p) => p.name).join(', ')}\n`);
}

async function cmdPredict(flags: Flags): Promise<void> {
  const model = await openModel(flags);
  try {
    const input = await readInput(flags, model);
    const k = intFlag(flags, 'top', 1, 1000) ?? 5;
    const [p] = await predict(model, input.tensor, k);
    const session = await model.session();
    if (flags.json) {
      process.stdout.write(JSON.stringify({ model: model.id, backend: session.backend, top: p.top }, null, 2) + '\n');
      return;
    }
    for (const c of p.top) process.stdout.write(`${(c.probability * 100).toFixed(2).padStart(6)}%  ${String(c.index).padStart(3)}  ${c.label}\n`);
  } finally {
    await model.dispose();
  }
}

/**
 * Where shards run: `--workers N` Node worker threads, or `--endpoints url,...` shard endpoints of running
 * servers (specs signed with XAI_SHARD_SECRET, the servers' SHARD_SECRET); default in this process.
 */
async function shardExecutors(flags: Flags, model: LoadedModel, input: Tensor, workers: number | undefined): Promise<{ executors: ShardExecutor[]; close(): Promise<void> } | undefined> {
  if (workers) {
    const { createWorkerPool } = await import('../core/perturbation/executors/worker-pool.node.js');
    const backend = (flags.backend ?? 'auto') as NodeBackendChoice;
    const pool = createWorkerPool({ model, input, workers, threads: 1, backend });
    return { executors: pool.executors, close: () => pool.close() };
  }
  if (flags.endpoints) {
    const secret = process.env.XAI_SHARD_SECRET;
    if (!secret) throw new InvalidInputError('--endpoints needs the shard-signing secret of those servers in the XAI_SHARD_SECRET environment variable', { param: 'endpoints' });
    const { httpExecutors } = await import('../core/perturbation/executors/http.js');
    const { shardAuthHeaders } = await import('../core/shard-auth.js');
    const endpoints = flags.endpoints.split(',').map((e) => e.trim()).filter(Boolean);
    return { executors: httpExecutors({ endpoints, input, sign: (shard) => shardAuthHeaders(secret, shard) }), close: async () => undefined };
  }
  return undefined;
}

async function cmdExplain(flags: Flags): Promise<void> {
  const method = required(flags, 'method');
  // Validate the cheap things before loading anything.
  const { getExplainer } = await import('../explainers/index.js');
  const spec = getExplainer(method);
  const params = parseKeyValues(flags.param ?? []);
  const shards = intFlag(flags, 'shards', 1, 1024) ?? 1;
  if (shards > 1 && !spec.shardable) {
    throw new InvalidInputError(`--shards ${shards}: method "${method}" is not shardable; use --shards 1`, { param: 'shards' });
  }
  const workers = intFlag(flags, 'workers', 1, 64);
  if ((workers || flags.endpoints) && !spec.shardable) {
    throw new InvalidInputError(`--${workers ? 'workers' : 'endpoints'}: method "${method}" is not shardable; shardable methods: ${describeMethods().methods.filter((m) => m.shardable).map((m) => m.name).join(', ')}`, { param: workers ? 'workers' : 'endpoints' });
  }
  const model = await openModel(flags);
  try {
    const input = await readInput(flags, model);
    const progress = createProgress(method, !flags.quiet);
    const fanOut = await shardExecutors(flags, model, input.tensor, workers);
    let result;
    try {
      result = await explain(model, input.tensor, {
      shards,
      executors: fanOut?.executors,
      method,
      target: intFlag(flags, 'target', 0, 1_000_000),
      layer: flags.layer,
      params,
      seed: intFlag(flags, 'seed', 0, 2 ** 32 - 1),
      batchSize: intFlag(flags, 'batch-size', 1, 256),
      onProgress: (d, t) => progress.update(d, t),
    });
    } finally {
      await fanOut?.close();
    }
    progress.finish();
    const e = result.explanation;
    if (flags['out-raw']) await writeFile(flags['out-raw'], float32Le(e.attribution.data));
    if (flags['out-png']) {
      const base = input.image ?? tensorToImage(input.tensor, model.manifest.preprocessing);
      await writeFile(flags['out-png'], explanationPng(base, e, { colorbar: true }));
    }
    const summary = {
      method: result.method,
      model: result.model,
      target: result.target,
      targetLabel: result.targetLabel,
      params: result.params,
      seed: result.seed,
      batchSize: result.batchSize,
      shards,
      ...(result.layer ? { layer: result.layer } : {}),
      shape: e.attribution.shape,
      mapShape: [e.height, e.width],
      signed: e.signed,
      backend: result.backend,
      timings: result.timings,
      passes: e.passes,
      prediction: result.prediction.top,
      ...(e.extras ? { extras: e.extras } : {}),
    };
    if (flags['out-json']) await writeFile(flags['out-json'], JSON.stringify({ ...summary, attribution: Array.from(e.map) }) + '\n');
    if (flags.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else process.stdout.write(`${result.method} for class ${result.target} (${result.targetLabel}) on ${result.model}: ${e.attribution.shape.join('x')} attribution in ${result.timings.explainMs.toFixed(1)} ms (${result.backend.backend})\n`);
  } finally {
    await model.dispose();
  }
}

async function cmdBias(flags: Flags): Promise<void> {
  const { biasFromFile, biasOnGenerated } = await import('./bias.js');
  const opts = {
    attributes: flags.attributes,
    split: flags.split,
    count: intFlag(flags, 'count', 1, 100_000),
    evidence: intFlag(flags, 'evidence', 0, 100_000),
    shards: intFlag(flags, 'shards', 1, 1024),
    seed: intFlag(flags, 'seed', 0, 2 ** 32 - 1),
    method: flags.method,
    json: flags.json,
  };
  if (flags.attributes) {
    await biasFromFile(opts, process.stdout);
    return;
  }
  const model = await openModel({ ...flags, model: flags.model ?? 'bias-attributes' });
  try {
    await biasOnGenerated(model, opts, createProgress('bias', !flags.quiet), process.stdout);
  } finally {
    await model.dispose();
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`xai: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values: flags, positionals } = parsed;
  const command = positionals[0];
  if (flags.help || !command) {
    (command || flags.help ? process.stdout : process.stderr).write(USAGE + '\n');
    return flags.help ? 0 : 2;
  }
  if (positionals.length > 1) {
    process.stderr.write(`xai: unexpected argument "${positionals[1]}"\n${USAGE}\n`);
    return 2;
  }
  try {
    switch (command) {
      case 'models':
        await cmdModels(flags);
        return 0;
      case 'methods':
        cmdMethods(flags);
        return 0;
      case 'predict':
        await cmdPredict(flags);
        return 0;
      case 'explain':
        await cmdExplain(flags);
        return 0;
      case 'bias':
        await cmdBias(flags);
        return 0;
      default:
        process.stderr.write(`xai: unknown command "${command}"; allowed: models, methods, predict, explain, bias\n`);
        return 2;
    }
  } catch (err) {
    const msg = err instanceof XaiError ? err.message : `unexpected error: ${(err as Error)?.stack ?? err}`;
    process.stderr.write(`xai: error: ${msg}\n`);
    return exitCodeFor(err);
  }
}
