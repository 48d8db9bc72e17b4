// The dashboard in Debian's Chromium: builds the site (scripts/build-site.mjs), then checks the gallery
// (every tile loads), the detail page's charts, try-it through the API (real `wrangler dev`) against try-it
// on the device with the API gone (same raw map, fallback without a click), WebGPU (SwiftShader) against
// WASM, Web Worker shards against one shard, that no request leaves the origin, and saves screenshots of
// every page at desktop and phone widths in test/site/artifacts/.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { startWranglerDev, type DevServer } from '../helpers/wrangler-dev.js';
import { artifacts, dist, openSite, type SiteFixture } from './site-fixture.js';


let stat: { url: string; close(): Promise<void> };
let dev: DevServer | undefined;
let chromium: { browser: unknown; close(): Promise<void> };
let gallery: { images: { id: string }[]; models: { id: string }[]; entries: { model: string }[] };

let site: SiteFixture;
beforeAll(async () => {
  site = await openSite();
  ({ stat, chromium } = site);
  gallery = JSON.parse(readFileSync(`${dist}/gallery/index.json`, 'utf8'));
}, 600_000);

afterAll(async () => {
  await site?.close();
  await dev?.stop();
});

/** A page that records every request, failed load and script error. */
async function open(origin: string, path: string, viewport = { width: 1280, height: 900 }, ctx?: BrowserContext) {
  const context = ctx ?? (chromium.browser as BrowserContext);
  const page = await context.newPage();
  // Loaded CI machines: waits for the device worker and the model take longer than Playwright's 30 s default.
  page.setDefaultTimeout(120_000);
  await page.setViewportSize(viewport);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith('/api/')) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(origin + path, { waitUntil: 'load' });
  return { page, requests, problems };
}

const foreign = (origin: string, urls: string[]) => urls.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));

interface TryOptions { method: string; where: 'auto' | 'api' | 'device'; backend?: 'auto' | 'wasm' | 'webgpu'; params?: Record<string, string>; shards?: number; model?: string }
interface TryResult { source: string; apiFailure?: string; backend: { backend: string; fallback?: string; platform: string }; map: number[]; target: number; prediction: { index: number }[] }

async function tryIt(page: Page, o: TryOptions): Promise<TryResult> {
  await page.selectOption('#model', o.model ?? 'fmnist-cnn');
  await page.selectOption('#method', o.method);
  for (const [k, v] of Object.entries(o.params ?? {})) await page.fill(`#p-${k}`, v);
  await page.selectOption('#where', o.where);
  await page.selectOption('#backend', o.backend ?? 'auto');
  if (o.shards) await page.fill('#shards', String(o.shards));
  const before = await page.evaluate(() => window.xaiTry?.runs ?? 0);
  await page.click('#run');
  await page.waitForFunction((n) => (window.xaiTry?.runs ?? 0) > n || document.getElementById('result')!.dataset.state === 'error', before, { timeout: 240_000 });
  const r = await page.evaluate(() => {
    const s = window.xaiTry!;
    if (!s.last || document.getElementById('result')!.dataset.state === 'error') return { error: s.error };
    return { ...s.last, map: Array.from(s.last.map.data) };
  });
  if ('error' in r) throw new Error(`try-it failed: ${r.error}`);
  return r as unknown as TryResult;
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('gallery and detail pages', () => {
  it('every gallery tile of every model loads (no broken image), and nothing leaves the origin', async () => {
    const { page, requests, problems } = await open(stat.url, '/gallery/');
    for (const m of gallery.models) {
      await page.selectOption('#f-model', m.id);
      const tiles = page.locator('#tiles > li:not([hidden]) img');
      expect(await tiles.count()).toBe(gallery.entries.filter((e) => e.model === m.id).length);
      // Tiles are lazy: load them all, then check each decoded.
      await page.evaluate(() => {
        for (const i of Array.from(document.querySelectorAll<HTMLImageElement>('#tiles img'))) i.loading = 'eager';
      });
      await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('#tiles > li:not([hidden]) img')).every((i) => i.complete), null, { timeout: 60_000 });
      const broken = await page.evaluate(() => Array.from(document.querySelectorAll<HTMLImageElement>('#tiles > li:not([hidden]) img')).filter((i) => !(i.naturalWidth > 0) || !i.alt).map((i) => i.src));
      expect(broken).toEqual([]);
    }
    await page.selectOption('#f-model', gallery.models[0].id);
    await page.selectOption('#f-family', 'activation');
    const shown = await page.locator('#tiles > li:not([hidden])').count();
    expect(shown).toBeGreaterThan(0);
    expect(await page.locator('#tiles > li:not([hidden])[data-family="activation"]').count()).toBe(shown);
    expect(problems).toEqual([]);
    expect(foreign(stat.url, requests)).toEqual([]);
    await page.close();
  });

  it('the detail page renders its three charts with data and every image', async () => {
    const { page, problems } = await open(stat.url, `/gallery/${gallery.models[0].id}/${gallery.images[0].id}/`);
    await page.waitForFunction(() => document.body.dataset.charts === '3');
    for (const id of ['chart-time', 'chart-deletion', 'chart-insertion']) {
      const inked = await page.evaluate((cid) => {
        const c = document.getElementById(cid) as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n / (c.width * c.height);
      }, id);
      expect(inked, id).toBeGreaterThan(0.01);
    }
    const broken = await page.evaluate(() => Array.from(document.images).filter((i) => !(i.naturalWidth > 0)).length);
    expect(broken).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('try it: API and device give the same attribution', () => {
  beforeAll(async () => {
    dev = await startWranglerDev();
  }, 180_000);

  for (const [method, params, tol] of [
    ['saliency', {}, 1e-4],
    ['rise', { masks: '500' }, 1e-4],
  ] as const) {
    it(`${method}: API (wrangler dev) vs device with the API unreachable (max abs diff <= ${tol})`, async () => {
      const api = await open(dev!.url, '/try/');
      const viaApi = await tryIt(api.page, { method, where: 'api', params });
      expect(viaApi.source).toBe('api');
      expect(viaApi.backend.platform).toBe('workerd');
      expect(foreign(dev!.url, api.requests)).toEqual([]);
      await api.page.close();

      // Static host without the Worker: the default "auto" mode must fall back by itself.
      const dev2 = await open(stat.url, '/try/');
      const onDevice = await tryIt(dev2.page, { method, where: 'auto', params });
      expect(onDevice.source).toBe('device');
      expect(onDevice.apiFailure).toMatch(/HTTP 404/);
      expect(onDevice.backend.backend).toBe('wasm');
      expect(onDevice.backend.fallback).toMatch(/\[webgpu\]/);
      expect(onDevice.target).toBe(viaApi.target);
      expect(maxAbsDiff(onDevice.map, viaApi.map)).toBeLessThanOrEqual(tol);
      expect(await dev2.page.locator('#ran').textContent()).toMatch(/API was not used.*WASM.*WebGPU did not run/s);
      expect(dev2.problems).toEqual([]);
      expect(foreign(stat.url, dev2.requests)).toEqual([]);
      await dev2.page.close();
    });
  }

  it('RISE in 3 Web Workers (shards) equals RISE in one worker', async () => {
    const { page } = await open(stat.url, '/try/');
    const one = await tryIt(page, { method: 'rise', where: 'device', backend: 'wasm', params: { masks: '300' }, shards: 1 });
    const three = await tryIt(page, { method: 'rise', where: 'device', backend: 'wasm', params: { masks: '300' }, shards: 3 });
    expect(maxAbsDiff(three.map, one.map)).toBeLessThanOrEqual(1e-5);
    expect(await page.locator('#timings').textContent()).toMatch(/shards\s*3/);
    await page.close();
  });
});

describe('WebGPU (SwiftShader) against WASM', () => {
  let gpu: { browser: unknown; close(): Promise<void> };
  beforeAll(async () => {
    gpu = await launchChromium({ webgpu: true });
  });
  afterAll(async () => gpu?.close());

  for (const method of ['saliency', 'grad-cam']) {
    it(`${method}: same map on WebGPU and on WASM (max abs diff <= 1e-3)`, async () => {
      const { page } = await open(stat.url, '/try/', undefined, gpu.browser as BrowserContext);
      const webgpu = await tryIt(page, { method, where: 'device', backend: 'webgpu' });
      expect(webgpu.backend.backend).toBe('webgpu');
      const wasm = await tryIt(page, { method, where: 'device', backend: 'wasm' });
      expect(wasm.backend.backend).toBe('wasm');
      expect(maxAbsDiff(webgpu.map, wasm.map)).toBeLessThanOrEqual(1e-3);
      await page.close();
    });
  }
});

describe('screenshots', () => {
  it('saves every page at desktop and phone widths, without horizontal overflow', async () => {
    const pages: [string, string][] = [
      ['home', '/'],
      ['gallery', '/gallery/'],
      ['detail', `/gallery/${gallery.models[0].id}/${gallery.images[0].id}/`],
      ['try', '/try/'],
      ['api', '/docs/api/'],
      ['byom', '/byom/'],
    ];
    for (const [name, path] of pages) {
      for (const [size, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
        const { page, problems } = await open(stat.url, path, viewport);
        if (name === 'try') {
          await page.click('#run');
          await page.waitForFunction(() => document.getElementById('result')!.dataset.state === 'done', null, { timeout: 60_000 });
        }
        if (name === 'detail') await page.waitForFunction(() => document.body.dataset.charts === '3');
        await page.evaluate(() => {
          for (const i of Array.from(document.images)) i.loading = 'eager';
        });
        await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        await page.screenshot({ path: `${artifacts}/${name}-${size}.png`, fullPage: true });
        if (overflow > 1) {
          const wide = await page.evaluate(() => Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className}`));
          throw new Error(`${name} ${size} scrolls sideways by ${overflow}px: ${wide.join(', ')}`);
        }
        expect(problems, name).toEqual([]);
        await page.close();
      }
    }
  });
});
