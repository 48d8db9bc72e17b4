// The CelebA list_attr_celeba.txt reader and writer: round trip, the original's layout, malformed files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAttributeFile } from '../../src/core/bias/celeba-file.js';
import { readCelebA, writeCelebA } from '../../src/core/bias/celeba.js';
import { phiMatrix } from '../../src/core/bias/correlation.js';
import { BIAS_ATTRIBUTES, generatePortrait } from '../../src/core/bias/generator.js';
import { InvalidInputError, NotFoundError } from '../../src/core/errors.js';

// The first lines of CelebA's own file, in its layout (two spaces before a positive value, trailing space
// after the names).
const CELEBA_HEAD = `3
5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald 
000001.jpg -1  1  1 -1 -1
000002.jpg -1 -1 -1  1 -1
000003.jpg -1 -1 -1 -1 -1
`;

describe('CelebA attribute files', () => {
  it("reads the original's layout", () => {
    const t = readCelebA(CELEBA_HEAD);
    expect(t.names).toEqual(['5_o_Clock_Shadow', 'Arched_Eyebrows', 'Attractive', 'Bags_Under_Eyes', 'Bald']);
    expect(t.files).toEqual(['000001.jpg', '000002.jpg', '000003.jpg']);
    expect([...t.values]).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('round trips generated labels: write, read, same table and same phi', () => {
    const n = 200;
    const values = new Uint8Array(n * BIAS_ATTRIBUTES.length);
    for (let i = 0; i < n; i++) values.set(generatePortrait(0, 'train', i).labels, i * BIAS_ATTRIBUTES.length);
    const files = Array.from({ length: n }, (_, i) => `train_${String(i).padStart(5, '0')}.png`);
    const table = { names: [...BIAS_ATTRIBUTES], n, values, files };
    const text = writeCelebA(table);
    expect(text.split('\n').slice(0, 3)).toEqual(['200', BIAS_ATTRIBUTES.join(' '), expect.stringMatching(/^train_00000\.png( {2}1| -1){6}$/)]);
    const back = readCelebA(text);
    expect(back.names).toEqual(table.names);
    expect(back.files).toEqual(files);
    expect([...back.values]).toEqual([...values]);
    expect(phiMatrix(back)).toEqual(phiMatrix(table));
    expect(readCelebA(writeCelebA(back))).toEqual(back);
  });

  it('accepts +1, tabs, CRLF line ends, a BOM and trailing blank lines', () => {
    const t = readCelebA('\uFEFF2\r\nA\tB\r\nx.png\t+1\t-1\r\ny.png  -1   1\r\n\r\n\n');
    expect([...t.values]).toEqual([1, 0, 0, 1]);
    expect(t.files).toEqual(['x.png', 'y.png']);
  });

  it('writes default file names when the table has none', () => {
    expect(writeCelebA({ names: ['A', 'B'], n: 2, values: Uint8Array.of(1, 0, 0, 1) })).toBe('2\nA B\n000001.png  1 -1\n000002.png -1  1\n');
    expect(() => writeCelebA({ names: ['has space'], n: 0, values: new Uint8Array(0) })).toThrow(/without spaces/);
  });

  const malformed: [string, string, RegExp][] = [
    ['empty file', '', /line 1: the file is empty/],
    ['only blank lines', '\n\n  \n', /line 1: the file is empty/],
    ['count not a number', 'three\nA B\n', /line 1: expected the number of images .* got "three"/],
    ['negative count', '-1\nA\n', /line 1: expected the number of images/],
    ['no names line', '0', /line 2: expected the attribute names/],
    ['empty names line', '1\n   \nx.png 1\n', /line 2: expected the attribute names/],
    ['duplicate names', '1\nA B A\nx.png 1 1 1\n', /line 2: attribute name "A" appears twice \(positions 1 and 3\)/],
    ['more rows than the count', '1\nA\nx.png 1\ny.png -1\n', /line 4: line 1 says 1 images but the file has 2 image rows/],
    ['fewer rows than the count', '3\nA\nx.png 1\ny.png -1\n', /line 5: the file ends after 2 image rows but line 1 says 3 images/],
    ['too few values', '2\nA B\nx.png 1 -1\ny.png 1\n', /line 4: expected a file name and 2 values, got 1 value\(s\)/],
    ['too many values', '1\nA B\nx.png 1 -1 1\n', /line 3: expected a file name and 2 values, got 3 value\(s\)/],
    ['value 0', '1\nA B\nx.png 1 0\n', /line 3: value "0" for attribute "B" is not allowed; use 1 \(or \+1\) or -1/],
    ['value yes', '1\nA\nx.png yes\n', /line 3: value "yes" for attribute "A"/],
    ['blank row inside', '2\nA\nx.png 1\n\ny.png 1\n', /line 4: empty row; expected a file name and 1 values/],
    ['blank row counted', '2\nA\n\ny.png 1\n', /line 3: empty row; expected a file name and 1 values/],
    ['duplicate file', '2\nA\nx.png 1\nx.png -1\n', /line 4: file "x.png" already listed on line 3/],
  ];
  for (const [what, text, message] of malformed) {
    it(`rejects a malformed file: ${what}`, () => {
      let err: unknown;
      try {
        readCelebA(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).message).toMatch(message);
      expect((err as InvalidInputError).code).toBe('bad_attribute_file');
    });
  }

  it('reads files from disk, naming the path in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'xai-celeba-'));
    try {
      await writeFile(join(dir, 'ok.txt'), CELEBA_HEAD);
      await writeFile(join(dir, 'bad.txt'), '2\nA\nx.png 1\n');
      expect((await readAttributeFile(join(dir, 'ok.txt'))).n).toBe(3);
      await expect(readAttributeFile(join(dir, 'bad.txt'))).rejects.toThrow(/bad\.txt.*line 4: the file ends after 1 image rows/);
      await expect(readAttributeFile(join(dir, 'missing.txt'))).rejects.toThrow(NotFoundError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
