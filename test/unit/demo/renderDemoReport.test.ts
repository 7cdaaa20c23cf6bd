import { describe, expect, it } from "vitest";
import { renderDemoReport } from "../../../src/demo/report/renderDemoReport.js";
import type { DemoResults } from "../../../src/demo/types.js";
import { demoResultsFixture, withOnlyMethods } from "../../helpers/demoResultsFixture.js";

const voidElements = new Set([
  "meta",
  "link",
  "br",
  "hr",
  "img",
  "input",
  "col",
  "wbr",
  "source",
  "area",
  "base",
]);

/**
 * A small well-formedness check, enough for generated markup: raw-text elements are skipped,
 * every other tag must be closed in order, and no stray `<` may remain in text. Returns the text
 * left after removing tags (for the escaping checks).
 */
function checkMarkup(html: string): string {
  const body = html
    .replace(/^<!doctype html>/i, "")
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, "<$1></$1>");
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"<>]*")?)*)\s*(\/?)>/g;
  let text = "";
  let last = 0;
  for (const m of body.matchAll(tag)) {
    text += body.slice(last, m.index);
    last = m.index! + m[0].length;
    const [, closing, rawName, , selfClosing] = m;
    const name = rawName!.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (open !== name)
        throw new Error(`</${name}> closes <${open}> near ${body.slice(m.index! - 80, m.index! + 20)}`);
    } else if (!selfClosing && !voidElements.has(name)) {
      stack.push(name);
    }
  }
  text += body.slice(last);
  if (stack.length > 0) throw new Error(`unclosed: ${stack.join(" > ")}`);
  if (/[<>]/.test(text)) throw new Error(`stray < or > in text: ${text.match(/.{0,40}[<>].{0,40}/)![0]}`);
  return text;
}

function embeddedJson(html: string): unknown {
  const m = html.match(/<script type="application\/json" id="genrm-results">([\s\S]*?)<\/script>/);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!);
}

interface BarRect {
  method: string;
  split: string;
  vote: string;
  height: number;
  y: number;
}

function bars(html: string): BarRect[] {
  return [...html.matchAll(/<rect class="bar"([^>]*)>/g)].map((m) => {
    const a = (name: string) => m[1]!.match(new RegExp(`${name}="([^"]*)"`))![1]!;
    return {
      method: a("data-method"),
      split: a("data-split"),
      vote: a("data-vote"),
      height: Number(a("height")),
      y: Number(a("y")),
    };
  });
}

function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</section>", start));
}

describe("renderDemoReport", () => {
  const results = demoResultsFixture();
  const html = renderDemoReport(results);

  it("is one well-formed HTML document with a single, non-executable script", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    checkMarkup(html);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toContain('<script type="application/json" id="genrm-results">');
  });

  it("loads nothing from anywhere: no remote or external resources", () => {
    expect(html).not.toMatch(/\b(src|href|xlink:href|action)\s*=/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    // Not even a namespace URI or a citation link: the fixture holds no URL, so neither does the page.
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("embeds the raw results, which round-trip to the input", () => {
    expect(embeddedJson(html)).toEqual(results);
  });

  it("shows every method and every accuracy, formatted as in the table, with the interval", () => {
    const table = section(html, "results");
    for (const m of results.methods) {
      expect(table).toContain(`>${m.name}</th>`);
      for (const s of results.splits) {
        const r = m.results[s.name];
        expect(table).toContain(r.accuracy.toFixed(3));
        expect(table).toContain(`[${r.ci[0].toFixed(3)}, ${r.ci[1].toFixed(3)}]`);
        if (r.majK) expect(table).toContain(r.majK[0]!.toFixed(3));
      }
    }
    // Two rows per CoT judge (maj@1 and maj@8), one per other judge, plus the length reference.
    expect(table.match(/<tr class="method-start" data-method=/g)).toHaveLength(8);
    expect(table.match(/data-vote="maj@1"/g)).toHaveLength(4);
    expect(table).toContain("maj@8");
    expect(table).toContain("Longer answer wins (reference)");
  });

  it("puts the best value of each column in bold, compared at three decimals", () => {
    const table = section(html, "results");
    // GenRM wins in distribution, STaR-DPO maj@8 on both OOD splits and the OOD mean.
    expect(table.match(/<strong>[^<]*<\/strong>/g)).toEqual([
      "<strong>0.843</strong>",
      "<strong>0.850</strong>",
      "<strong>0.758</strong>",
      "<strong>0.804</strong>",
    ]);
    const tied = demoResultsFixture();
    tied.methods.find((m) => m.id === "bt")!.results.test.accuracy = 0.84249; // prints as 0.842, GenRM's 0.8425 as 0.843
    tied.methods.find((m) => m.id === "pairrm")!.results.test.accuracy = 0.8426; // prints as 0.843: a tie
    const tiedTable = section(renderDemoReport(tied), "results");
    expect(tiedTable.match(/<strong>0\.843<\/strong>/g)).toHaveLength(2);
    expect(tiedTable).not.toContain("<strong>0.842</strong>");
  });

  it("draws bars whose heights are proportional to accuracy, and hatched maj@k beside solid maj@1", () => {
    const all = bars(html);
    // 4 single-verdict judges x 3 splits + 4 CoT judges x 3 splits x (maj@1, maj@k).
    expect(all).toHaveLength(4 * 3 + 4 * 3 * 2);
    const bar = (method: string, split: string, vote: string) =>
      all.find((b) => b.method === method && b.split === split && b.vote === vote)!;
    const acc = (id: string, split: "test" | "ood-length") =>
      results.methods.find((m) => m.id === id)!.results[split];
    const genrm = bar("genrm", "ood-length", "single");
    const dpo = bar("star-dpo", "ood-length", "maj@k");
    expect(dpo.height / genrm.height).toBeCloseTo(
      acc("star-dpo", "ood-length").accuracy / acc("genrm", "ood-length").accuracy,
      3,
    );
    const bt = bar("bt", "test", "single");
    expect(genrm.height / bt.height).toBeCloseTo(
      acc("genrm", "ood-length").accuracy / acc("bt", "test").accuracy,
      3,
    );
    // All bars stand on one baseline.
    expect(new Set(all.map((b) => Math.round((b.y + b.height) * 10)))).toHaveProperty("size", 1);
    const maj1 = bar("zero-shot-cot", "test", "maj@1");
    expect(maj1.height / bar("zero-shot-cot", "test", "maj@k").height).toBeCloseTo(
      acc("zero-shot-cot", "test").majK![0]! / acc("zero-shot-cot", "test").accuracy,
      3,
    );
    const figure = section(html, "figure");
    expect(figure).toMatch(/<rect class="bar"[^>]*data-method="star-dpo"[^>]*data-vote="maj@k"/);
    expect(figure).toMatch(/fill="url\(#fig-accuracy-hatch-[^"]+\)"[^>]*data-method="star-dpo"/);
    expect(figure).toMatch(
      /<rect class="bar"[^>]*fill="#0072B2"[^>]*data-method="star-dpo" data-split="test" data-vote="maj@1"/,
    );
    expect(figure).toContain('class="ref"');
    expect(figure.match(/class="whisker"/g)).toHaveLength(4 * 3 + 4 * 3);
  });

  it("draws one maj@k panel per split with one line per CoT judge and k from 1 to 8", () => {
    const majk = section(html, "majk");
    expect(majk.match(/data-chart="lines"/g)).toHaveLength(3);
    expect(majk.match(/<polyline /g)).toHaveLength(3 * 4);
    expect(majk.match(/<circle /g)).toHaveLength(3 * 4 * 8);
    expect(majk).toContain("STaR-DPO, maj@8: 0.831");
    for (const s of results.splits) expect(majk).toContain(s.title);
    // The printable numbers: k = 1, 2, 4, 8 and the share of samples without a verdict.
    const numbers = majk.slice(majk.indexOf('<table class="majk">'));
    expect(numbers).toMatch(
      /<th class="num">k=1<\/th><th class="num">k=2<\/th><th class="num">k=4<\/th><th class="num">k=8<\/th><th class="num">no verdict<\/th>/,
    );
    const dpo = results.methods.find((m) => m.id === "star-dpo")!.results["ood-mixed"];
    expect(numbers).toContain(
      [0, 1, 3, 7].map((j) => `<td class="num">${dpo.majK![j]!.toFixed(3)}</td>`).join("") +
        `<td class="num">${dpo.parseErrorRate.toFixed(3)}</td>`,
    );
  });

  it("lists STaR iterations, with — for a probe that was not measured", () => {
    const star = section(html, "star");
    expect(star.match(/<h3>/g)).toHaveLength(3);
    const dpo = star.slice(star.indexOf("<h3>STaR-DPO</h3>"), star.indexOf("<h3>STaR-Rationalizer</h3>"));
    expect(dpo).toContain('<td class="num">0.800</td>');
    expect(dpo).toContain('<td class="num">—</td>');
    expect(dpo).toContain("2,400"); // kept in iteration 1: 0.6 x 4000
    expect(star).toContain(">malformed share</th>");
    expect(dpo).toContain('<td class="num">0.167</td>'); // 400 malformed of 2,400 kept
  });

  it("records provenance: base model, world, templates, models, config and timings", () => {
    const p = section(html, "provenance");
    expect(p).toContain(results.baseModel.sha256);
    expect(p).toContain(results.baseModel.path);
    for (const [id, hash] of Object.entries(results.templates)) {
      expect(p).toContain(id);
      expect(p).toContain(hash);
    }
    for (const m of results.methods) expect(p).toContain(m.model!.id);
    expect(p).toContain("&quot;learningRate&quot;");
    expect(p).toContain("pretrain base model");
    expect(p).toContain("1804.2");
    const summary = section(html, "summary");
    expect(summary).toContain("1,500 training pairs");
    expect(summary).toContain("k = 8");
    expect(summary).toContain("3 self-training iterations");
    expect(summary).toContain("0.821 on ID");
    expect(summary).toContain(
      "highest in-distribution accuracy: GenRM (0.843); highest OOD mean: STaR-DPO maj@8 (0.804)",
    );
  });

  it("is accessible, themable and printable, and small", () => {
    const svgs = html.match(/<svg class="chart"[^>]*>/g)!;
    expect(svgs.length).toBe(4);
    for (const svg of svgs) {
      expect(svg).toContain('role="img"');
      expect(svg).toMatch(/aria-label="[^"]+"/);
    }
    expect(html.match(/<svg class="chart"[^>]*><title>/g)).toHaveLength(4);
    expect(html).toContain("@media (prefers-color-scheme: dark)");
    expect(html).toContain("@media print");
    expect(html).toContain('<html lang="en">');
    expect(Buffer.byteLength(html)).toBeLessThan(200_000);
    expect(html).not.toMatch(/NaN|undefined|Infinity|\[object Object\]/);
  });

  it("escapes names, paths and config values everywhere, and keeps them exact in the JSON", () => {
    const evil = demoResultsFixture();
    const name = `<script>alert("x")</script> & 'Co'`;
    evil.methods[2]!.name = name;
    evil.methods[2]!.model!.path = `models/"><img src=x onerror=alert(1)>.gguf`;
    evil.baseModel.path = "</script><script>alert(2)</script>";
    evil.config.note = "<!-- </script> -->";
    evil.splits[0]!.title = "In <b>distribution</b>";
    const out = renderDemoReport(evil);
    const text = checkMarkup(out);
    expect(out.match(/<script\b/g)).toHaveLength(1);
    const visible = out.replace(/<script type="application\/json"[\s\S]*?<\/script>/, "");
    expect(visible).not.toMatch(/<img|<b>|alert\(1\)>|-->/);
    expect(out).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;");
    expect(text).toContain("&lt;script&gt;alert(&quot;x&quot;)");
    expect(embeddedJson(out)).toEqual(evil);
  });

  it("renders a run with only three judges and no CoT judge without empty charts or NaN", () => {
    const small = withOnlyMethods(results, ["zero-shot-direct", "genrm", "bt"]);
    const out = renderDemoReport(small);
    checkMarkup(out);
    expect(bars(out)).toHaveLength(3 * 3);
    expect(out).not.toMatch(/NaN|undefined|Infinity/);
    expect(out).not.toContain('data-chart="lines"');
    expect(out).toContain("No chain-of-thought judge in this run");
    expect(out).toContain("No STaR method in this run");
    expect(out).not.toContain("hatched: maj@k");
    // Only the embedded raw results name it (their claims list, unchecked without STaR-DPO).
    expect(out.replace(/<script[\s\S]*?<\/script>/g, "")).not.toContain("STaR-DPO");
    expect(out).not.toContain('id="claims"');
    expect(embeddedJson(out)).toEqual(small);
  });

  it("renders three judges with a CoT judge among them: curves only for it, groups in Figure 2 order", () => {
    const small = withOnlyMethods(results, ["star-dpo", "genrm", "zero-shot-cot"]);
    small.methods.reverse();
    const out = renderDemoReport(small);
    checkMarkup(out);
    expect(out).not.toMatch(/NaN|undefined|Infinity/);
    const order = [...new Set(bars(out).map((b) => b.method))];
    expect(order).toEqual(["zero-shot-cot", "genrm", "star-dpo"]);
    expect(section(out, "majk").match(/<polyline /g)).toHaveLength(3 * 2);
  });

  it("shows the paper's claims with this run's numbers, test statistic and verdict", () => {
    const claims = section(html, "claims");
    expect(claims.match(/<tr>/g)).toHaveLength(1 + results.claims.length);
    // Fixture: STaR-DPO 0.850 vs BT 0.199 on ood-length, right on the first 341 vs 80 pairs.
    expect(claims).toContain("STaR-DPO 0.850 vs BT 0.199 (Δ 0.652)");
    expect(claims).toContain("McNemar (261 vs 0 discordant)");
    expect(claims).toContain("<strong>holds</strong>");
    const id = results.claims.find((c) => c.id === "in-distribution")!;
    expect(id.holds).toBe(true);
  });

  it("survives a run with no results at all", () => {
    const empty: DemoResults = { ...results, methods: [], timings: [] };
    const out = renderDemoReport(empty);
    checkMarkup(out);
    expect(out).not.toMatch(/NaN|undefined|Infinity/);
    expect(out).toContain("No results to chart");
  });
});
