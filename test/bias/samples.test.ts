// The committed sample set (models/samples/bias, written by models/train/bias/export_samples.mjs) is exactly
// what the generator produces today: pixels, labels, masks and the CelebA-format list.
import { readFile } from 'node:fs/promises';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { readAttributeFile } from '../../src/core/bias/celeba-file.js';
import { BIAS_ATTRIBUTES, generatePortrait, PORTRAIT_SIZE } from '../../src/core/bias/generator.js';

const DIR = new URL('../../models/samples/bias/', import.meta.url);

interface IndexEntry {
  file: string;
  index: number;
  labels: Record<string, number>;
  boxes: Record<string, [number, number, number, number]>;
  masks: Record<string, [number, number][]>;
}

describe('committed bias samples', () => {
  it('match the generator pixel for pixel, with the same labels and masks', async () => {
    const index = JSON.parse(await readFile(new URL('index.json', DIR), 'utf8')) as { seed: number; split: 'unbiased'; attributes: string[]; images: IndexEntry[] };
    expect(index.attributes).toEqual([...BIAS_ATTRIBUTES]);
    expect(index.images.length).toBeGreaterThanOrEqual(60);
    for (const e of index.images) {
      const p = generatePortrait(index.seed, index.split, e.index);
      const png = decode(await readFile(new URL(e.file, DIR)));
      expect([png.width, png.height, png.channels]).toEqual([PORTRAIT_SIZE, PORTRAIT_SIZE, 3]);
      expect(Buffer.from(png.data as Uint8Array).equals(Buffer.from(p.rgb)), e.file).toBe(true);
      BIAS_ATTRIBUTES.forEach((a, k) => {
        expect(e.labels[a]).toBe(p.labels[k]);
        const mask = new Uint8Array(PORTRAIT_SIZE * PORTRAIT_SIZE);
        for (const [start, len] of e.masks[a]) mask.fill(1, start, start + len);
        expect(Buffer.from(mask).equals(Buffer.from(p.masks[k])), `${e.file} ${a} mask`).toBe(true);
        const [x0, y0, x1, y1] = e.boxes[a];
        for (let q = 0; q < mask.length; q++) {
          if (mask[q]) expect(q % PORTRAIT_SIZE >= x0 && q % PORTRAIT_SIZE < x1 && Math.floor(q / PORTRAIT_SIZE) >= y0 && Math.floor(q / PORTRAIT_SIZE) < y1).toBe(true);
        }
      });
    }
    const list = await readAttributeFile(new URL('list_attr.txt', DIR).pathname);
    expect(list.files).toEqual(index.images.map((e) => e.file));
    expect([...list.values]).toEqual(index.images.flatMap((e) => BIAS_ATTRIBUTES.map((a) => e.labels[a])));
  });
});
