/**
 * The report's whole stylesheet, inlined so the file needs nothing beside itself. System fonts
 * only: a web font would be a download. Light by default, dark when the reader's system asks,
 * and always light on paper.
 */
export const reportStyles = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1c1e21; --muted: #5c636b; --rule: #c9ced6; --grid: #e6e9ee;
  --panel: #f4f6f8; --accent: #0b61a4;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15171b; --fg: #e4e6ea; --muted: #a2a9b1; --rule: #434a54; --grid: #2a2f37;
    --panel: #1d2026; --accent: #6cb6ff;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0 auto; max-width: 1100px; padding: 24px 20px 48px;
  background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.05em; margin: 20px 0 6px; }
p { max-width: 80ch; }
.subtitle, .note, figcaption { color: var(--muted); }
figcaption, .note { font-size: 0.9em; max-width: 90ch; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; }
code { overflow-wrap: anywhere; }
pre { background: var(--panel); padding: 10px 12px; overflow-x: auto; border-radius: 4px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 0.92em; }
th, td { padding: 4px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--grid); }
thead th { border-bottom: 1px solid var(--rule); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.method-start td, tr.method-start th { border-top: 1px solid var(--rule); }
tr.reference td, tr.reference th { color: var(--muted); font-style: italic; }
.ci { color: var(--muted); font-size: 0.85em; }
td strong { font-weight: 700; }
.table-wrap { overflow-x: auto; }
figure { margin: 12px 0 8px; }
svg.chart { max-width: 100%; height: auto; display: block; }
.chart text { fill: var(--fg); font-size: 11px; }
.chart .axis text { fill: var(--muted); }
.chart .chart-title { font-weight: 600; font-size: 12px; }
.chart .grid { stroke: var(--grid); stroke-width: 1; }
.chart .baseline { stroke: var(--rule); stroke-width: 1; }
.chart .ref { stroke: var(--muted); stroke-width: 1.2; stroke-dasharray: 5 4; }
.chart .ref-label { fill: var(--muted); font-size: 10px; }
.chart .whisker { stroke: var(--fg); stroke-width: 1.2; fill: none; }
.multiples { display: flex; flex-wrap: wrap; gap: 8px 16px; }
.multiples figure { margin: 0; }
ul.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 0.9em; }
ul.legend li { display: flex; align-items: center; gap: 6px; }
.timings td:last-child { width: 200px; }
.timebar { display: block; height: 8px; background: var(--accent); border-radius: 2px; }
details.failure { border: 1px solid var(--grid); border-radius: 4px; padding: 4px 10px; margin: 6px 0; }
details.failure summary { cursor: pointer; }
details.failure h4 { margin: 8px 0 2px; font-size: 0.9em; }
details.failure pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
details.failure .answers { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85em; }
@media print {
  :root {
    color-scheme: light;
    --bg: #ffffff; --fg: #000000; --muted: #444444; --rule: #999999; --grid: #dddddd; --panel: #f4f4f4; --accent: #333333;
  }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  figure, table, pre, .star-method { break-inside: avoid; }
  .table-wrap { overflow: visible; }
}
`;
