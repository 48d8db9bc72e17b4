// Draws a ClientResult on the page with the library's own renderer (same colour maps as the API's PNGs):
// overlay with colour bar, raw map, legend, top-5, timings, where it ran and why, and downloads.
import { decodeImage, type RasterImage } from '../../../src/core/image/index.js';
import { renderExplanation } from '../../../src/core/render.js';
import type { ClientResult } from './explain-client.js';

function draw(canvas: HTMLCanvasElement, img: RasterImage): void {
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.style.setProperty('--ar', `${img.width}/${img.height}`);
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(img.data), img.width, img.height), 0, 0);
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

export function describeRun(r: ClientResult): string {
  const b = r.backend;
  if (r.source === 'api') return `Ran on the API (${b.platform}, ${b.backend}, ${b.runtime}).`;
  const why =
    b.backend === 'wasm'
      ? b.fallback
        ? `WebGPU did not run: ${b.fallback}.`
        : 'WASM was chosen.'
      : 'WebGPU worked, so WASM was not needed.';
  const api = r.apiFailure ? `The API was not used: ${r.apiFailure}. ` : '';
  return `${api}Ran on this device with ${b.backend === 'webgpu' ? 'WebGPU' : 'WASM (SIMD)'} (${b.runtime}). ${why}`;
}

export interface ResultView {
  overlay: HTMLCanvasElement;
  heatmap: HTMLCanvasElement;
  ran: HTMLElement;
  top5: HTMLTableSectionElement;
  timings: HTMLTableSectionElement;
  legend: HTMLElement;
  downloads: HTMLElement;
  legendColours: { viridis: string; coolwarm: string };
}

export function showResult(view: ResultView, r: ClientResult, imageBytes: Uint8Array, methodTitle: string): void {
  const base = decodeImage(imageBytes);
  const e = { map: r.map.data, width: r.map.width, height: r.map.height, signed: r.signed };
  draw(view.overlay, renderExplanation(base, e, { colorbar: true, minSide: 224 }));
  draw(view.heatmap, renderExplanation(base, e, { render: 'heatmap', minSide: 1 }));
  const what = `${methodTitle} for class ${r.targetLabel}`;
  view.overlay.setAttribute('aria-label', `${what}: ${r.signed ? 'signed heatmap (coolwarm: red for, blue against)' : 'heatmap (viridis: yellow strongest)'} over the image, with colour bar`);
  view.heatmap.setAttribute('aria-label', `${what}: raw ${r.map.width} by ${r.map.height} map`);
  view.ran.innerHTML = `<span class="badge">${r.source === 'api' ? 'API' : r.backend.backend === 'webgpu' ? 'device: WebGPU' : 'device: WASM'}</span> ${esc(describeRun(r))}`;
  view.legend.innerHTML = r.signed
    ? `<span>against</span><span class="bar" style="background:${view.legendColours.coolwarm}"></span><span>for ${esc(r.targetLabel)}</span>`
    : `<span>none</span><span class="bar" style="background:${view.legendColours.viridis}"></span><span>strongest</span>`;
  view.legend.setAttribute('role', 'img');
  view.legend.setAttribute('aria-label', r.signed ? 'Colours: blue is evidence against the class, white zero, red evidence for it' : 'Colours: dark purple no evidence, yellow the strongest');
  view.top5.innerHTML = r.prediction
    .slice(0, 5)
    .map((p) => `<tr><td>${esc(p.label)}${p.index === r.target ? ' (target)' : ''}</td><td>${(p.probability * 100).toFixed(2)}%</td></tr>`)
    .join('');
  view.timings.innerHTML = Object.entries(r.timings)
    .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${k === 'shards' ? v : `${v.toFixed(1)} ms`}</td></tr>`)
    .concat([`<tr><th scope="row">forward passes</th><td>${r.passes}</td></tr>`])
    .join('');
  for (const a of Array.from(view.downloads.querySelectorAll('a'))) if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
  const json = { ...r, map: { width: r.map.width, height: r.map.height, data: Array.from(r.map.data) } };
  const jsonUrl = URL.createObjectURL(new Blob([JSON.stringify(json, null, 1)], { type: 'application/json' }));
  view.downloads.innerHTML = '';
  const link = (href: string, name: string, text: string) => {
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.textContent = text;
    view.downloads.append(a);
  };
  link(view.overlay.toDataURL('image/png'), `${r.model}-${r.method}.png`, 'Overlay PNG');
  link(view.heatmap.toDataURL('image/png'), `${r.model}-${r.method}-heatmap.png`, 'Heatmap PNG');
  link(jsonUrl, `${r.model}-${r.method}.json`, 'JSON');
}
