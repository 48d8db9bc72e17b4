/**
 * Reader and writer of attribute lists in the format of CelebA's list_attr_celeba.txt (Liu, Luo, Wang, Tang
 * (2015), "Deep Learning Face Attributes in the Wild"): line 1 the number of images, line 2 the attribute
 * names separated by spaces, then one row per image: the file name and one value per attribute, 1 (or +1)
 * for present and -1 for absent, separated by one or more spaces. Errors name the line and the problem.
 */
import { InvalidInputError, LimitExceededError } from '../errors.js';
import { checkAttributeTable, type AttributeTable } from './correlation.js';

/** Bounds on what the reader accepts (CelebA itself: 202,599 images, 40 attributes). */
export const CELEBA_LIMITS = Object.freeze({ maxImages: 2_000_000, maxAttributes: 1000 });

function bad(line: number, message: string): InvalidInputError {
  return new InvalidInputError(`attribute file line ${line}: ${message}`, { param: 'attributes', code: 'bad_attribute_file' });
}

const show = (s: string) => JSON.stringify(s.length > 40 ? s.slice(0, 37) + '...' : s);

/**
 * Parse a CelebA-format attribute list into a table (values 0/1, file names kept).
 * Accepts \n or \r\n line ends, tabs or runs of spaces between fields, and trailing blank lines.
 * @example readCelebA('2\nSmiling Eyeglasses\na.jpg 1 -1\nb.jpg -1 1\n').values // [1, 0, 0, 1]
 */
export function readCelebA(text: string): AttributeTable {
  if (typeof text !== 'string') throw new InvalidInputError('attribute file: expected text', { param: 'attributes' });
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw bad(1, 'the file is empty; expected the number of images on line 1');
  const countText = lines[0].trim();
  if (!/^\d+$/.test(countText)) throw bad(1, `expected the number of images (a non-negative integer), got ${show(countText)}`);
  const count = Number(countText);
  if (count > CELEBA_LIMITS.maxImages) {
    throw new LimitExceededError(`attribute file line 1: ${count} images; at most ${CELEBA_LIMITS.maxImages} allowed`, { param: 'attributes' });
  }
  if (lines.length < 2 || lines[1].trim() === '') throw bad(2, 'expected the attribute names separated by spaces, got an empty line');
  const names = lines[1].trim().split(/\s+/);
  if (names.length > CELEBA_LIMITS.maxAttributes) {
    throw new LimitExceededError(`attribute file line 2: ${names.length} attributes; at most ${CELEBA_LIMITS.maxAttributes} allowed`, { param: 'attributes' });
  }
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const prev = seen.get(name);
    if (prev !== undefined) throw bad(2, `attribute name ${show(name)} appears twice (positions ${prev + 1} and ${i + 1})`);
    seen.set(name, i);
  });
  const rows = lines.length - 2;
  const k = names.length;
  const values = new Uint8Array(Math.min(count, rows) * k);
  const files: string[] = [];
  const fileLine = new Map<string, number>();
  // Rows are checked before the count, so a stray blank line is reported where it is.
  for (let i = 0; i < rows; i++) {
    const lineNo = i + 3;
    if (i === count) throw bad(lineNo, `line 1 says ${count} images but the file has ${rows} image rows`);
    const fields = lines[i + 2].trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === '') throw bad(lineNo, `empty row; expected a file name and ${k} values`);
    if (fields.length !== k + 1) throw bad(lineNo, `expected a file name and ${k} values, got ${fields.length - 1} value(s)`);
    const file = fields[0];
    const prev = fileLine.get(file);
    if (prev !== undefined) throw bad(lineNo, `file ${show(file)} already listed on line ${prev}`);
    fileLine.set(file, lineNo);
    files.push(file);
    for (let a = 0; a < k; a++) {
      const v = fields[a + 1];
      if (v === '1' || v === '+1') values[i * k + a] = 1;
      else if (v !== '-1') throw bad(lineNo, `value ${show(v)} for attribute "${names[a]}" is not allowed; use 1 (or +1) or -1`);
    }
  }
  if (rows < count) throw bad(lines.length + 1, `the file ends after ${rows} image rows but line 1 says ${count} images`);
  return { names, n: count, values, files };
}

/**
 * Write a table in the CelebA format (values as " 1" / "-1", like the original). Items without file names
 * are written as 000001.png, 000002.png, ...
 * @example writeCelebA({ names: ['A'], n: 1, values: Uint8Array.of(1) }) // "1\nA\n000001.png  1\n"
 */
export function writeCelebA(t: AttributeTable): string {
  checkAttributeTable(t);
  for (const name of t.names) {
    if (!/^\S+$/.test(name)) throw new InvalidInputError(`attribute name ${show(name)} must be non-empty without spaces`, { param: 'attributes' });
  }
  const k = t.names.length;
  const out: string[] = [String(t.n), t.names.join(' ')];
  for (let i = 0; i < t.n; i++) {
    const file = t.files ? t.files[i] : `${String(i + 1).padStart(6, '0')}.png`;
    if (!/^\S+$/.test(file)) throw new InvalidInputError(`file name ${show(file)} must be non-empty without spaces`, { param: 'attributes' });
    let row = file;
    for (let a = 0; a < k; a++) row += t.values[i * k + a] ? '  1' : ' -1';
    out.push(row);
  }
  return out.join('\n') + '\n';
}
