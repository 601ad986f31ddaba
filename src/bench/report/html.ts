/**
 * The report as one self-contained HTML file: Chart.js's standalone build is read from the
 * installed package and written inline, and so is the report itself (as JSON), so the page needs
 * no network. Charts: the median rate per backend for every figure, and the time of one search
 * against the number of runs.
 */
import fs from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { BenchReport, BenchResult } from '../types.js'
import { formatNumber, formatRatio, formatSeconds, formatSize } from './format.js'
import { missedTargets } from './table.js'

const require = createRequire(import.meta.url)

/** The id of the `<script type="application/json">` element that holds the report. */
export const REPORT_DATA_ID = 'trackstore-bench-data'

/** Chart.js's UMD bundle (it defines the global `Chart`), as shipped in the chart.js package. */
export async function readChartLibrary(): Promise<string> {
  // The package's exports map hides dist/; its main entry sits beside the UMD bundle.
  const main = require.resolve('chart.js')
  return fs.readFile(path.join(path.dirname(main), 'chart.umd.min.js'), 'utf8')
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
}

/** JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
}

function resultRow(result: BenchResult): string {
  const cells = [
    result.workload,
    result.backend,
    `${formatSize(result.size)} ${result.sizeUnit}`,
    `${formatNumber(result.median)} ${result.unit}`,
    `${formatNumber(result.min)} – ${formatNumber(result.max)}`,
    formatSeconds(result.seconds.median),
    formatRatio(result.ratioToBaseline),
    result.meetsTarget === undefined
      ? ''
      : `${result.meetsTarget ? 'met' : 'missed'}: ${result.target!.description}`,
  ]
  const attribute = result.meetsTarget === false ? ' class="missed"' : ''
  return `<tr${attribute}>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`
}

function describeMachine(report: BenchReport): string {
  const { machine } = report
  const memory = `${(machine.memory / 1024 ** 3).toFixed(1)} GiB`
  const rows: [string, string][] = [
    ['date', report.date],
    ['cpu', `${machine.cpu} × ${machine.cores}`],
    ['memory', memory],
    ['os', machine.os],
    ['node', machine.node],
    ...Object.entries(report.versions),
  ]
  return rows
    .map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n')
}

/** Draws the charts from the embedded report; runs in the reader's browser. */
const CHART_SCRIPT = `
(function () {
  var report = JSON.parse(document.getElementById('${REPORT_DATA_ID}').textContent);
  var palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];
  var charts = document.getElementById('charts');
  function unique(values) {
    return values.filter(function (v, i) { return values.indexOf(v) === i; });
  }
  function canvas(title) {
    var figure = document.createElement('figure');
    var caption = document.createElement('figcaption');
    caption.textContent = title;
    var element = document.createElement('canvas');
    figure.appendChild(caption);
    figure.appendChild(element);
    charts.appendChild(figure);
    return element;
  }
  unique(report.results.map(function (r) { return r.workload; })).forEach(function (workload) {
    var rows = report.results.filter(function (r) { return r.workload === workload; });
    var backends = unique(rows.map(function (r) { return r.backend; }));
    var sizes = unique(rows.map(function (r) { return r.size; }));
    var unit = rows[0].unit;
    new Chart(canvas(workload + ': median ' + unit + ' per backend (higher is better)'), {
      type: 'bar',
      data: {
        labels: backends,
        datasets: sizes.map(function (size, i) {
          return {
            label: size.toLocaleString('en-US') + ' ' + rows[0].sizeUnit,
            backgroundColor: palette[i % palette.length],
            data: backends.map(function (backend) {
              var row = rows.find(function (r) {
                return r.backend === backend && r.size === size;
              });
              return row ? row.median : null;
            })
          };
        })
      },
      options: {
        animation: false,
        scales: { y: { type: 'logarithmic', title: { display: true, text: unit } } }
      }
    });
  });
  var searches = report.results.filter(function (r) { return r.workload === 'search'; });
  if (searches.length > 0) {
    var backends = unique(searches.map(function (r) { return r.backend; }));
    new Chart(canvas('search: milliseconds per search against runs in the experiment'), {
      type: 'line',
      data: {
        datasets: backends.map(function (backend, i) {
          return {
            label: backend,
            borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length],
            data: searches
              .filter(function (r) { return r.backend === backend; })
              .map(function (r) { return { x: r.size, y: r.seconds.median * 1000 }; })
          };
        })
      },
      options: {
        animation: false,
        scales: {
          x: { type: 'logarithmic', title: { display: true, text: 'runs' } },
          y: { type: 'logarithmic', title: { display: true, text: 'ms per search' } }
        }
      }
    });
  }
})();
`

/** Renders the whole report page. */
export async function renderHtmlReport(report: BenchReport): Promise<string> {
  const library = await readChartLibrary()
  const missed = missedTargets(report)
  const missedItems = missed.map((line) => `<li>${escapeHtml(line)}</li>`).join('')
  const targets =
    missed.length === 0
      ? '<p>Every target the issue sets was met.</p>'
      : `<p>Targets missed:</p><ul>${missedItems}</ul>`
  const skipped = report.skipped
    .map((s) => `<li>${escapeHtml(`${s.backend}: ${s.reason}`)}</li>`)
    .join('')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>trackstore benchmarks ${escapeHtml(report.date)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
tr.missed td { background: #fde2e1; }
#charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(28rem, 1fr)); gap: 2rem; }
figcaption { font-weight: 600; margin-bottom: 0.5rem; }
</style>
</head>
<body>
<h1>trackstore benchmarks</h1>
<h2>Machine and versions</h2>
<table>
${describeMachine(report)}
</table>
<h2>Targets</h2>
${targets}
${skipped === '' ? '' : `<p>Backends not measured:</p><ul>${skipped}</ul>`}
<h2>Charts</h2>
<div id="charts"></div>
<h2>Results</h2>
<table>
<tr><th>workload</th><th>backend</th><th>size</th><th>median</th><th>min – max</th>
<th>time (median)</th><th>vs baseline</th><th>target</th></tr>
${report.results.map(resultRow).join('\n')}
</table>
<script type="application/json" id="${REPORT_DATA_ID}">${scriptJson(report)}</script>
<script>
${library}
</script>
<script>
${CHART_SCRIPT}
</script>
</body>
</html>
`
}
