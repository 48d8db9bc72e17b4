// The /bias page's client side: one chart.js bar chart of region shares per attribute (Okabe-Ito colours; the
// attribute's own region and a flagged region are also named in the axis labels, so nothing depends on colour
// alone; every chart has a table fallback in the page), and the matrices' cell details on hover and keyboard
// focus: a fixed-height panel (no layout shift) shows both phi values, the difference and the 2x2 counts,
// and the same pair is outlined in every matrix.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { OKABE_ITO } from './detail-charts';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

interface ChartData {
  regions: string[];
  attributes: { attribute: string; shares: number[]; outside: number; own: number; culprit: number }[];
}

const human = (s: string) => s.replace(/_/g, ' ');
const OTHER = '#8c959f';

export function renderBiasCharts(): Chart[] {
  const el = document.getElementById('bias-chart-data');
  if (!el?.textContent) return [];
  const data = JSON.parse(el.textContent) as ChartData;
  const charts: Chart[] = [];
  for (const a of data.attributes) {
    const canvas = document.getElementById(`shares-${a.attribute}`) as HTMLCanvasElement | null;
    if (!canvas) continue;
    const labels = [...data.regions.map((g, j) => human(g) + (j === a.own ? ' (own)' : j === a.culprit ? ' (flag)' : '')), 'outside all'];
    const colours = [...data.regions.map((_, j) => (j === a.own ? OKABE_ITO[0] : j === a.culprit ? OKABE_ITO[3] : OTHER)), '#d0d7de'];
    charts.push(
      new Chart(canvas, {
        type: 'bar',
        data: { labels, datasets: [{ label: `share of ${human(a.attribute)} evidence`, data: [...a.shares, a.outside].map((v) => 100 * v), backgroundColor: colours, borderColor: '#1b1f24', borderWidth: 1 }] },
        options: {
          indexAxis: 'y',
          maintainAspectRatio: false,
          animation: false,
          scales: { x: { type: 'linear', min: 0, max: 100, title: { display: true, text: '% of attribution mass' } } },
          plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${(c.parsed.x ?? 0).toFixed(1)}% of the evidence` } } },
        },
      }),
    );
  }
  document.body.dataset.charts = String(charts.length);
  return charts;
}

/** Cell details of the correlation matrices on hover and focus. */
export function setupMatrixDetail(): void {
  const panel = document.getElementById('cell-detail');
  if (!panel) return;
  const cells = Array.from(document.querySelectorAll<HTMLElement>('td[data-pair]'));
  const show = (cell: HTMLElement) => {
    panel.textContent = cell.dataset.detail ?? '';
    for (const c of cells) c.classList.toggle('pair-on', c.dataset.pair === cell.dataset.pair);
  };
  for (const c of cells) {
    c.addEventListener('mouseenter', () => show(c));
    c.addEventListener('focus', () => show(c));
  }
  document.body.dataset.matrixDetail = 'ready';
}
