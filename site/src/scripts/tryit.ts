// The try-it page: builds the form from the method table (parameters with defaults and bounds), runs the
// explanation (API, else device), shows progress, cancels, and keeps the last result on window.xaiTry for
// scripted checks.
import { cancelDevice, runExplanation, type ClientRequest, type ClientResult, type Where } from './explain-client.js';
import type { BackendChoice } from './device/protocol.js';
import { paramFields, readParams } from './params-form.js';
import { showResult } from './show-result.js';
import type { ParamSpecLike } from './params-form.js';

interface Config {
  methods: { name: string; title: string; taxonomy: string; shardable: boolean; paper: string; description: string; params: ParamSpecLike[] }[];
  models: { id: string; labels: string[]; sampleSet: string; task: string }[];
  legend: { viridis: string; coolwarm: string };
}

declare global {
  interface Window {
    xaiTry?: { last?: ClientResult; error?: string; runs: number };
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export function initTryIt(): void {
  const config = JSON.parse($('try-config').textContent!) as Config;
  const form = $<HTMLFormElement>('try-form');
  const model = $<HTMLSelectElement>('model');
  const method = $<HTMLSelectElement>('method');
  const target = $<HTMLSelectElement>('target');
  const sample = $<HTMLSelectElement>('sample');
  const upload = $<HTMLInputElement>('upload');
  const params = $('params');
  const info = $('method-info');
  const shards = $<HTMLInputElement>('shards');
  const run = $<HTMLButtonElement>('run');
  const cancel = $<HTMLButtonElement>('cancel');
  const progress = $<HTMLProgressElement>('progress');
  const status = $('status');
  const section = $('result');
  const preview = $<HTMLImageElement>('input-preview');
  const state: NonNullable<Window['xaiTry']> = (window.xaiTry = { runs: 0 });
  let controller: AbortController | undefined;
  let previewUrl: string | undefined;

  const spec = () => config.methods.find((m) => m.name === method.value)!;
  const onModel = () => {
    const m = config.models.find((x) => x.id === model.value)!;
    target.innerHTML = '<option value="">top prediction</option>' + m.labels.map((l, i) => `<option value="${i}">${i}: ${l.replace(/</g, '&lt;')}</option>`).join('');
    const cur = sample.selectedOptions[0];
    if (cur?.dataset.set !== m.sampleSet) {
      const first = Array.from(sample.options).find((o) => o.dataset.set === m.sampleSet);
      if (first) sample.value = first.value;
      onImage();
    }
  };
  const onMethod = () => {
    const s = spec();
    params.replaceChildren(...paramFields(s.params, 'p-'));
    $('params-box').hidden = s.params.length === 0;
    info.textContent = `${s.description} ${s.paper}`;
    shards.disabled = !s.shardable;
    $('shards-field').classList.toggle('muted', !s.shardable);
  };
  const imageBytes = async (): Promise<Uint8Array> => {
    const f = upload.files?.[0];
    if (f) return new Uint8Array(await f.arrayBuffer());
    const res = await fetch(sample.value);
    if (!res.ok) throw new Error(`sample ${sample.value}: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const onImage = () => {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    const f = upload.files?.[0];
    previewUrl = f ? URL.createObjectURL(f) : undefined;
    preview.src = previewUrl ?? sample.value;
  };
  model.addEventListener('change', onModel);
  method.addEventListener('change', onMethod);
  sample.addEventListener('change', () => {
    upload.value = '';
    onImage();
  });
  upload.addEventListener('change', onImage);
  onMethod();
  onModel();
  onImage();

  const setBusy = (busy: boolean) => {
    run.disabled = busy;
    cancel.disabled = !busy;
    section.dataset.state = busy ? 'running' : section.dataset.state === 'running' ? 'idle' : section.dataset.state;
    section.setAttribute('aria-busy', String(busy));
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    status.classList.remove('error');
    progress.removeAttribute('value'); // indeterminate until the method reports progress
    setBusy(true);
    state.error = undefined;
    const t0 = performance.now();
    try {
      const s = spec();
      const image = await imageBytes();
      const req: ClientRequest = {
        model: { id: model.value },
        image,
        method: s.name,
        target: target.value === '' ? undefined : Number(target.value),
        layer: ($<HTMLInputElement>('layer').value || undefined)?.trim(),
        params: readParams(s.params, 'p-'),
        seed: Number($<HTMLInputElement>('seed').value || 0),
        backend: $<HTMLSelectElement>('backend').value as BackendChoice,
        shards: s.shardable ? Math.max(1, Math.min(16, Number(shards.value) || 1)) : 1,
      };
      const r = await runExplanation(req, $<HTMLSelectElement>('where').value as Where, {
        signal,
        onStatus: (t) => (status.textContent = t),
        onProgress: (done, total) => {
          progress.max = total;
          progress.value = done;
          progress.textContent = `${Math.round((100 * done) / total)}%`;
        },
      });
      progress.max = 1;
      progress.value = 1;
      showResult(
        { overlay: $('overlay'), heatmap: $('heatmap'), ran: $('ran'), top5: $<HTMLTableElement>('top5').tBodies[0], timings: $<HTMLTableElement>('timings').tBodies[0], legend: $('legend'), downloads: $('downloads'), legendColours: config.legend },
        r,
        image,
        s.title,
      );
      status.textContent = `Done in ${((performance.now() - t0) / 1000).toFixed(2)} s: ${s.title} for class ${r.targetLabel}.`;
      state.last = r;
      state.runs++;
      section.dataset.state = 'done';
    } catch (err) {
      const aborted = (err as Error).name === 'AbortError';
      progress.max = 1;
      progress.value = 0;
      status.textContent = aborted ? 'Cancelled.' : `Failed: ${(err as Error).message}`;
      status.classList.toggle('error', !aborted);
      state.error = (err as Error).message;
      section.dataset.state = aborted ? 'cancelled' : 'error';
    } finally {
      setBusy(false);
    }
  });
  cancel.addEventListener('click', () => {
    controller?.abort();
    cancelDevice();
  });
}
