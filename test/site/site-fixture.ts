/**
 * What every site test needs first: the built site (scripts/build-site.mjs, skipped with
 * XAI_SITE_SKIP_BUILD=1 when `npm test` has just built it), the artifacts folder for screenshots, a static
 * server over site/dist and a Chromium.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../helpers/chromium.js';
import { serveDist } from './serve-dist.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const dist = `${root}site/dist`;
export const artifacts = `${root}test/site/artifacts`;

export interface SiteFixture {
  stat: { url: string; close(): Promise<void> };
  chromium: { browser: unknown; close(): Promise<void> };
  close(): Promise<void>;
}

export async function openSite(): Promise<SiteFixture> {
  if (process.env.XAI_SITE_SKIP_BUILD !== '1') execFileSync(process.execPath, [`${root}scripts/build-site.mjs`], { cwd: root, stdio: 'inherit' });
  mkdirSync(artifacts, { recursive: true });
  const stat = await serveDist(dist);
  const chromium = await launchChromium({ webgpu: false });
  return {
    stat,
    chromium,
    async close() {
      await chromium.close();
      await stat.close();
    },
  };
}
