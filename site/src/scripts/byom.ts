// Bring your own model: reads the ONNX graph (input and output names, shapes, candidate CAM layers) to
// prefill the form, builds a manifest from what the user gives, and explains on the device only.
import { parseModel, valueInfoShape } from '../../../src/core/onnx/model.js';
import type { ModelManifest } from '../../../src/core/models/manifest.js';
import { cancelDevice, runDevice, type ClientResult } from './explain-client.js';
import type { BackendChoice } from './device/protocol.js';
import { paramFields, readParams, type ParamSpecLike } from './params-form.js';
import { showResult } from './show-result.js';

interface Config { methods: { name: string; title: string; params: ParamSpecLike[] }[]; legend: { viridis: string; coolwarm: string } }
declare global { interface Window { xaiByom?: { last?: ClientResult; error?: string } } }

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const numbers = (s: string, name: string) => {
  const v = s.split(/[\s,]+/).filter(Boolean).map(Number);
  if (!v.length || v.some((x) => !Number.isFinite(x))) throw new Error(`${name}: give 1 or 3 numbers separated by commas, got "${s}"`);
  return v;
};

export function initByom(): void {
  const config = JSON.parse($('byom-config').textContent!) as Config;
  const onnx = $<HTMLInputElement>('onnx');
  const drop = $('drop');
  const method = $<HTMLSelectElement>('method');
  const status = $('status');
  const progress = $<HTMLProgressElement>('progress');
  const run = $<HTMLButtonElement>('run');
  const cancel = $<HTMLButtonElement>('cancel');
  const section = $('result');
  const state = (window.xaiByom = {} as NonNullable<Window['xaiByom']>);
  let graph: { input: string; output: string; classes?: number } | undefined;
  let modelFile: File | undefined;

  const onMethod = () => $('params').replaceChildren(...paramFields(config.methods.find((m) => m.name === method.value)!.params, 'b-'));
  method.addEventListener('change', onMethod);
  onMethod();

  const readGraph = async (file: File) => {
    modelFile = file;
    const info = $('onnx-info');
    try {
      const m = parseModel(new Uint8Array(await file.arrayBuffer()));
      const g = m.graph!;
      const inits = new Set(g.initializer.map((t) => t.name));
      const input = g.input.find((i) => !inits.has(i.name))!;
      const output = g.output[0];
      const inShape = valueInfoShape(input)?.dims ?? [];
      const outShape = valueInfoShape(output)?.dims ?? [];
      const [, c, h, w] = inShape;
      if (typeof h === 'number') $<HTMLInputElement>('height').value = String(h);
      if (typeof w === 'number') $<HTMLInputElement>('width').value = String(w);
      if (c === 1) {
        $<HTMLSelectElement>('channels').value = 'gray';
        $<HTMLInputElement>('mean').value = '0';
        $<HTMLInputElement>('std').value = '1';
      }
      const classes = typeof outShape[outShape.length - 1] === 'number' ? (outShape[outShape.length - 1] as number) : undefined;
      graph = { input: input.name, output: output.name, classes };
      const convs = g.node.filter((n) => n.opType === 'Conv' || n.opType === 'Relu').map((n) => n.output[0]);
      $('layers').replaceChildren(...convs.map((name) => new Option(name, name)));
      info.textContent = `${file.name}: input "${input.name}" [${inShape.join(', ')}], output "${output.name}" [${outShape.join(', ')}]${classes ? `, ${classes} classes` : ''}`;
    } catch (err) {
      graph = undefined;
      info.textContent = `${file.name} is not a readable ONNX model: ${(err as Error).message}`;
    }
  };
  onnx.addEventListener('change', () => onnx.files?.[0] && readGraph(onnx.files[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) readGraph(f);
  });

  let controller: AbortController | undefined;
  $<HTMLFormElement>('byom-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    controller = new AbortController();
    run.disabled = true;
    cancel.disabled = false;
    status.classList.remove('error');
    progress.removeAttribute('value');
    section.dataset.state = 'running';
    try {
      const img = $<HTMLInputElement>('image').files?.[0];
      if (!modelFile || !graph) throw new Error('choose an ONNX model first');
      if (!img) throw new Error('choose an image');
      const channels = $<HTMLSelectElement>('channels').value as 'rgb' | 'bgr' | 'gray';
      const h = Number($<HTMLInputElement>('height').value);
      const w = Number($<HTMLInputElement>('width').value);
      const given = $<HTMLTextAreaElement>('labels').value.split('\n').map((s) => s.trim()).filter(Boolean);
      const n = graph.classes ?? given.length;
      if (!n) throw new Error('the output size is not in the graph: give the class names, one per line');
      const labels = Array.from({ length: n }, (_, i) => given[i] ?? `class ${i}`);
      const manifest: ModelManifest = {
        id: 'your-model',
        title: modelFile.name,
        task: 'classification',
        input: { name: graph.input, shape: [-1, channels === 'gray' ? 1 : 3, h, w], layout: 'NCHW' },
        output: { name: graph.output, kind: $<HTMLSelectElement>('output-kind').value as 'logits' | 'probabilities' },
        preprocessing: { size: [h, w], resize: $<HTMLSelectElement>('resize').value as 'bilinear', channels, scale: Number($<HTMLInputElement>('scale').value) || 1, mean: numbers($<HTMLInputElement>('mean').value, 'mean'), std: numbers($<HTMLInputElement>('std').value, 'std') },
        labels,
        ...($<HTMLInputElement>('layer').value.trim() ? { camLayer: $<HTMLInputElement>('layer').value.trim() } : {}),
        source: 'dropped in by the user',
        license: 'unknown',
      };
      const image = new Uint8Array(await img.arrayBuffer());
      const spec = config.methods.find((m) => m.name === method.value)!;
      const t = $<HTMLInputElement>('target').value;
      const r = await runDevice(
        { model: { manifest, bytes: new Uint8Array(await modelFile.arrayBuffer()) }, image, method: spec.name, target: t === '' ? undefined : Number(t), params: readParams(spec.params, 'b-'), backend: $<HTMLSelectElement>('backend').value as BackendChoice, shards: 1 },
        {
          signal: controller.signal,
          onStatus: (s) => (status.textContent = s),
          onProgress: (d, total) => {
            progress.max = total;
            progress.value = d;
          },
        },
      );
      progress.max = 1;
      progress.value = 1;
      showResult({ overlay: $('overlay'), heatmap: $('heatmap'), ran: $('ran'), top5: $<HTMLTableElement>('top5').tBodies[0], timings: $<HTMLTableElement>('timings').tBodies[0], legend: $('legend'), downloads: $('downloads'), legendColours: config.legend }, r, image, spec.title);
      status.textContent = `Done: ${spec.title} for class ${r.targetLabel}.`;
      state.last = r;
      section.dataset.state = 'done';
    } catch (err) {
      const aborted = (err as Error).name === 'AbortError';
      status.textContent = aborted ? 'Cancelled.' : `Failed: ${(err as Error).message}`;
      status.classList.toggle('error', !aborted);
      state.error = (err as Error).message;
      progress.value = 0;
      section.dataset.state = aborted ? 'cancelled' : 'error';
    } finally {
      run.disabled = false;
      cancel.disabled = true;
    }
  });
  cancel.addEventListener('click', () => {
    controller?.abort();
    cancelDevice();
  });
}
