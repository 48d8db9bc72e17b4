// Form fields from the library's parameter specs (type, default, bounds, allowed values), and the values the
// user changed: untouched fields are left out so the method's own defaults apply.
export interface ParamSpecLike { name: string; type: string; description: string; default?: number | boolean | string; min?: number; max?: number; values?: string[] }

export function paramFields(specs: ParamSpecLike[], prefix: string): HTMLElement[] {
  return specs.map((p) => {
    const wrap = document.createElement('div');
    wrap.className = 'field';
    const id = `${prefix}${p.name}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = p.name;
    const help = document.createElement('small');
    const range = p.min !== undefined || p.max !== undefined ? ` (${p.min ?? '…'} to ${p.max ?? '…'})` : '';
    help.textContent = `${p.description}${range}`;
    help.id = `${id}-help`;
    let input: HTMLInputElement | HTMLSelectElement;
    if (p.type === 'enum' && p.values) {
      const s = document.createElement('select');
      for (const v of p.values) s.add(new Option(v, v, false, v === String(p.default)));
      input = s;
    } else if (p.type === 'boolean') {
      const c = document.createElement('input');
      c.type = 'checkbox';
      c.checked = p.default === true;
      input = c;
    } else {
      const i = document.createElement('input');
      i.type = p.type === 'number' || p.type === 'integer' ? 'number' : 'text';
      if (p.min !== undefined) i.min = String(p.min);
      if (p.max !== undefined) i.max = String(p.max);
      if (p.type === 'integer') i.step = '1';
      if (p.type === 'number') i.step = 'any';
      if (p.default !== undefined) i.value = String(p.default);
      input = i;
    }
    input.id = id;
    input.name = id;
    input.dataset.default = p.default === undefined ? '' : String(p.default);
    input.setAttribute('aria-describedby', help.id);
    wrap.append(label, input, help);
    return wrap;
  });
}

export function readParams(specs: ParamSpecLike[], prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of specs) {
    const el = document.getElementById(`${prefix}${p.name}`) as HTMLInputElement | HTMLSelectElement | null;
    if (!el) continue;
    if (el instanceof HTMLInputElement && el.type === 'checkbox') {
      if (el.checked !== (p.default === true)) out[p.name] = el.checked;
      continue;
    }
    const v = el.value.trim();
    if (v === '' || v === el.dataset.default) continue;
    out[p.name] = p.type === 'number' || p.type === 'integer' ? Number(v) : v;
  }
  return out;
}
