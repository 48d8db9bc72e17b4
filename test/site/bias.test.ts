// The /bias page (issue 7) in Debian's Chromium, against the JSON it was built from (site/dist/bias/bias.json):
// the label and prediction phi matrices and their difference show the right numbers, hover and keyboard focus
// show both values and the 2x2 counts, lipstick is flagged (evidence in the long-hair region, explained by the
// training data's phi) and nothing else, the six region-share charts draw, images have alt text, no layout
// shift, no sideways scrolling at phone width, nothing leaves the origin; desktop and phone screenshots go to
// test/site/artifacts/bias-*.png. Builds the site first unless XAI_SITE_SKIP_BUILD=1.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BiasView } from '../../site/src/lib/bias.js';
import { artifacts, dist, openSite, type SiteFixture } from './site-fixture.js';


let stat: { url: string; close(): Promise<void> };
let chromium: { browser: unknown; close(): Promise<void> };
let view: BiasView;

let site: SiteFixture;
beforeAll(async () => {
  site = await openSite();
  ({ stat, chromium } = site);
  view = JSON.parse(readFileSync(`${dist}/bias/bias.json`, 'utf8'));
}, 600_000);

afterAll(async () => {
  await site?.close();
});

async function open(viewport: { width: number; height: number }) {
  const page = await (chromium.browser as BrowserContext).newPage();
  // Loaded CI machines: waits for the device worker and the model take longer than Playwright's 30 s default.
  page.setDefaultTimeout(120_000);
  await page.setViewportSize(viewport);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __cls: number };
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!e.hadRecentInput) w.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(`${stat.url}/bias/`, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.charts === '6' && document.body.dataset.matrixDetail === 'ready');
  await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete && i.naturalWidth > 0));
  return { page, requests, problems };
}

const fmt = (v: number | null, signed = false) => (v === null ? '–' : (signed && Number(v.toFixed(2)) > 0 ? '+' : '') + v.toFixed(2));
const tableText = (page: Page, id: string) =>
  page.$$eval(`table[data-matrix="${id}"] tbody tr`, (rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent!.trim())));

describe('/bias', () => {
  it('shows the label and prediction matrices and their difference with the numbers of bias.json', async () => {
    const { page, problems, requests } = await open({ width: 1280, height: 900 });
    const k = view.names.length;
    expect(k).toBe(6);
    expect(await tableText(page, 'labels')).toEqual(view.matrices.labels.cells.map((r) => r.map((c) => fmt(c.phi))));
    expect(await tableText(page, 'predictions')).toEqual(view.matrices.predictions.cells.map((r) => r.map((c) => fmt(c.phi))));
    expect(await tableText(page, 'difference')).toEqual(view.matrices.difference.cells.map((r) => r.map((c) => fmt(c.diff, true))));
    expect(await tableText(page, 'train')).toEqual(view.matrices.train.cells.map((r) => r.map((c) => fmt(c.phi))));
    // the difference is the predictions' phi minus the labels' phi
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const d = view.matrices.difference.cells[i][j].diff;
        const p = view.matrices.predictions.cells[i][j].phi;
        const l = view.matrices.labels.cells[i][j].phi;
        if (d !== null) expect(Math.abs(d - (p! - l!))).toBeLessThan(2e-4);
      }
    }
    // the designed bias: no lipstick ~ long hair in these labels, strong in the predictions and the training labels
    const li = view.names.indexOf('lipstick');
    const hi = view.names.indexOf('long_hair');
    expect(Math.abs(view.matrices.labels.cells[li][hi].phi!)).toBeLessThan(0.15);
    expect(view.matrices.predictions.cells[li][hi].phi!).toBeGreaterThan(0.5);
    expect(view.matrices.train.cells[li][hi].phi!).toBeGreaterThan(0.7);
    // cells are coloured with the coolwarm map from the JSON
    const bg = await page.$eval(`table[data-matrix="predictions"] td[data-pair="${li}-${hi}"]`, (c) => getComputedStyle(c).backgroundColor);
    const hex = view.matrices.predictions.cells[li][hi].bg;
    expect(bg).toBe(`rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`);

    // hover: both values, the difference and the 2x2 counts
    await page.hover(`table[data-matrix="labels"] td[data-pair="${li}-${hi}"]`);
    const detail = await page.textContent('#cell-detail');
    for (const m of [view.matrices.labels, view.matrices.predictions]) {
      const c = m.cells[li][hi];
      expect(detail).toContain(`phi ${fmt(c.phi)} (n11 ${c.n11}, n10 ${c.n10}, n01 ${c.n01}, n00 ${c.n00})`);
      expect(c.n11 + c.n10 + c.n01 + c.n00).toBe(view.set.count);
    }
    expect(detail).toContain(fmt(view.matrices.difference.cells[li][hi].diff, true));
    expect(await page.$$eval(`td.pair-on`, (cs) => cs.length)).toBe(3); // the same pair in all three matrices
    // keyboard: Tab moves to the next cell and the detail follows
    await page.focus(`table[data-matrix="difference"] td[data-pair="0-0"]`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.pair)).toBe('0-1');
    const c01 = view.matrices.labels.cells[0][1];
    expect(await page.textContent('#cell-detail')).toContain(`n11 ${c01.n11}, n10 ${c01.n10}, n01 ${c01.n01}, n00 ${c01.n00}`);

    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(stat.url) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
    await page.close();
  });

  it('flags lipstick (evidence in the long-hair region, training phi) and nothing else; charts and maps render', async () => {
    const { page, problems } = await open({ width: 1280, height: 900 });
    expect(view.flagged).toEqual(['lipstick']);
    const lip = view.attributes.find((a) => a.attribute === 'lipstick')!;
    expect(lip.flag!.region).toBe('long_hair');
    expect(lip.flag!.trainPhi!).toBeGreaterThan(0.7);
    const flagged = await page.$$eval('article.attr-card[data-flagged="true"]', (as) => as.map((a) => a.id));
    expect(flagged).toEqual(['attr-lipstick']);
    const text = (await page.textContent('#attr-lipstick .flag-text'))!.replace(/\s+/g, ' ');
    expect(text).toContain(lip.flag!.text);
    expect(text).toMatch(/lipstick: \d+% of its evidence lies in the long hair region .*in the training data lipstick and long hair co-occur with phi 0\.[789]\d/);

    // six bar charts, each drawn (non-blank canvas) with its table fallback holding the JSON's shares
    const drawn = await page.$$eval('canvas[id^="shares-"]', (cs) =>
      (cs as HTMLCanvasElement[]).map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
        return { id: c.id, w: c.width, h: c.height, ink };
      }),
    );
    expect(drawn.map((d) => d.id).sort()).toEqual(view.names.map((n) => `shares-${n}`).sort());
    for (const d of drawn) {
      expect(d.w, d.id).toBeGreaterThan(100);
      expect(d.ink, d.id).toBeGreaterThan(500);
    }
    const rows = await page.$$eval('#shares-table-lipstick tbody tr', (rs) => rs.map((r) => Array.from(r.children).map((c) => c.textContent!.trim())));
    expect(rows.find((r) => r[0] === 'long hair (flag)')![1]).toBe(`${(100 * lip.shares.long_hair).toFixed(1)}%`);

    // maps: loaded, described
    const imgs = await page.$$eval('img', (is) => is.map((i) => ({ alt: i.alt, w: i.naturalWidth, src: i.getAttribute('src') })));
    expect(imgs.length).toBe(6);
    for (const i of imgs) {
      expect(i.w, i.src!).toBeGreaterThan(0);
      expect(i.alt.length, i.src!).toBeGreaterThan(30);
    }
    expect(await page.getAttribute('#attr-lipstick img', 'alt')).toMatch(/long hair/);
    expect(await page.$eval('header nav a[href="/bias/"]', (a) => a.getAttribute('aria-current'))).toBe('page');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('desktop and phone: no layout shift, no sideways scrolling; screenshots', async () => {
    for (const [size, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      const { page, problems } = await open(viewport);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
      expect(cls, size).toBeLessThan(0.01);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await page.screenshot({ path: `${artifacts}/bias-${size}.png`, fullPage: true });
      if (overflow > 1) {
        const wide = await page.evaluate(() => Array.from(document.querySelectorAll('body *')).filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className}`));
        throw new Error(`bias ${size} scrolls sideways by ${overflow}px: ${wide.join(', ')}`);
      }
      expect(problems, size).toEqual([]);
      await page.close();
    }
  });
});
