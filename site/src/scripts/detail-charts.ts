// Charts of the image detail page (chart.js): time per method, deletion and insertion curves. Colours are
// the Okabe-Ito palette (distinguishable with common colour-vision deficiencies), and lines also differ by
// dash pattern, so no series depends on colour alone.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'];
const DASHES = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

interface Curve { auc: number; fractions: number[]; curve: number[] }
interface Data { methods: { name: string; explainMs: number; deletion: Curve; insertion: Curve }[] }

export function renderDetailCharts(): Chart[] {
  const el = document.getElementById('chart-data');
  if (!el?.textContent) return [];
  const data = JSON.parse(el.textContent) as Data;
  const charts: Chart[] = [];
  const time = document.getElementById('chart-time') as HTMLCanvasElement | null;
  if (time) {
    charts.push(
      new Chart(time, {
        type: 'bar',
        data: { labels: data.methods.map((m) => m.name), datasets: [{ label: 'explain time (ms)', data: data.methods.map((m) => m.explainMs), backgroundColor: OKABE_ITO[0] }] },
        options: {
          indexAxis: 'y',
          maintainAspectRatio: false,
          animation: false,
          scales: { x: { type: 'linear', title: { display: true, text: 'milliseconds' } } },
          plugins: { legend: { display: false } },
        },
      }),
    );
  }
  for (const mode of ['deletion', 'insertion'] as const) {
    const canvas = document.getElementById(`chart-${mode}`) as HTMLCanvasElement | null;
    if (!canvas) continue;
    charts.push(
      new Chart(canvas, {
        type: 'line',
        data: {
          datasets: data.methods.map((m, i) => ({
            label: `${m.name} (AUC ${m[mode].auc.toFixed(2)})`,
            data: m[mode].fractions.map((x, j) => ({ x, y: m[mode].curve[j] })),
            borderColor: OKABE_ITO[i % OKABE_ITO.length],
            backgroundColor: OKABE_ITO[i % OKABE_ITO.length],
            borderDash: DASHES[Math.floor(i / OKABE_ITO.length) % DASHES.length],
            borderWidth: 2,
            pointRadius: 0,
            tension: 0,
          })),
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          parsing: false,
          scales: {
            x: { type: 'linear', min: 0, max: 1, title: { display: true, text: `fraction of pixels ${mode === 'deletion' ? 'removed' : 'restored'}` } },
            y: { type: 'linear', min: 0, max: 1, title: { display: true, text: 'target probability' } },
          },
          plugins: { legend: { position: 'bottom', labels: { boxWidth: 18, font: { size: 11 } } } },
        },
      }),
    );
  }
  document.body.dataset.charts = String(charts.length);
  return charts;
}
