// Gallery filters: show the tiles matching model, class and family; the choice lives in the URL query so a
// filtered view can be shared and survives reloads.
export function initGalleryFilters(): void {
  const form = document.getElementById('filters') as HTMLFormElement | null;
  const tiles = Array.from(document.querySelectorAll<HTMLElement>('#tiles > li'));
  const count = document.getElementById('count');
  if (!form) return;
  const selects = Array.from(form.querySelectorAll('select'));
  const params = new URLSearchParams(location.search);
  for (const s of selects) {
    const v = params.get(s.name);
    if (v !== null && Array.from(s.options).some((o) => o.value === v)) s.value = v;
  }
  const apply = () => {
    const want = Object.fromEntries(selects.map((s) => [s.name, s.value]));
    let shown = 0;
    for (const t of tiles) {
      const ok = (!want.model || t.dataset.model === want.model) && (!want.class || t.dataset.class === want.class) && (!want.family || t.dataset.family === want.family);
      t.hidden = !ok;
      if (ok) shown++;
    }
    if (count) count.textContent = `${shown} of ${tiles.length} tiles`;
    const q = new URLSearchParams(Object.entries(want).filter(([, v]) => v));
    history.replaceState(null, '', q.toString() ? `?${q}` : location.pathname);
  };
  for (const s of selects) s.addEventListener('change', apply);
  apply();
}
