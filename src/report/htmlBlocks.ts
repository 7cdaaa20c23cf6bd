/**
 * The small HTML pieces every genrm report is made of (a definition list, a table, numbers as the
 * reports print them), so the demo's report and `genrm report` look and round alike.
 */
import { escapeHtml } from "./escapeHtml.js";

/** `<dl>` of label → HTML value; labels are escaped here, values are the caller's markup. */
export function dl(entries: [string, string][], cls = "meta"): string {
  return `<dl class="${escapeHtml(cls)}">${entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

/** A table of HTML cells (the caller escapes), in a horizontally scrolling wrapper. */
export function table(
  head: string[],
  body: string[][],
  opts: { className?: string; numeric?: boolean[] } = {},
): string {
  const cls = (i: number) => (opts.numeric?.[i] ? ` class="num"` : "");
  const tableClass = opts.className ? ` class="${escapeHtml(opts.className)}"` : "";
  return (
    `<div class="table-wrap"><table${tableClass}><thead><tr>${head.map((h, i) => `<th${cls(i)}>${h}</th>`).join("")}</tr></thead>` +
    `<tbody>${body.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`
  );
}

export function fmt3(x: number | null | undefined): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(3) : "—";
}

/** Counts with thousands separators, locale-independent so the output is the same everywhere. */
export function fmtInt(x: number | null | undefined): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return "—";
  return String(Math.round(x)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
