/**
 * A small Prometheus registry for the reward server: counters, gauges read at scrape time, and
 * latency histograms, rendered in the text exposition format (version 0.0.4). Enough for the
 * handful of series the server exports; not a general client library.
 */

type Labels = Record<string, string>;

/** Request latency buckets in seconds: judgments take from milliseconds (direct) to minutes (CoT). */
export const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

interface Series {
  help: string;
  type: "counter" | "gauge" | "histogram";
  values: Map<string, { labels: Labels; value: number }>;
  histograms: Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>;
  read?: () => number;
  buckets: readonly number[];
}

const key = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

const renderLabels = (labels: Labels, extra: Labels = {}) => {
  const all = { ...labels, ...extra };
  const parts = Object.keys(all).map((k) => `${k}="${escapeLabel(all[k])}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
};

export class Metrics {
  #series = new Map<string, Series>();

  #get(name: string, help: string, type: Series["type"]): Series {
    let s = this.#series.get(name);
    if (!s) {
      s = { help, type, values: new Map(), histograms: new Map(), buckets: latencyBuckets };
      this.#series.set(name, s);
    }
    return s;
  }

  /** Declares a counter so it is exported (at 0) before its first increment. */
  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const s = this.#get(name, help, "counter");
    return (labels = {}, by = 1) => {
      const k = key(labels);
      const v = s.values.get(k);
      if (v) v.value += by;
      else s.values.set(k, { labels, value: by });
    };
  }

  /** A gauge whose value is read when scraped. */
  gauge(name: string, help: string, read: () => number): void {
    this.#get(name, help, "gauge").read = read;
  }

  histogram(name: string, help: string, buckets: readonly number[] = latencyBuckets) {
    const s = this.#get(name, help, "histogram");
    s.buckets = buckets;
    return (labels: Labels, value: number) => {
      const k = key(labels);
      let h = s.histograms.get(k);
      if (!h) {
        h = { labels, counts: new Array(buckets.length).fill(0), sum: 0, count: 0 };
        s.histograms.set(k, h);
      }
      for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]) h.counts[i]++;
      h.sum += value;
      h.count++;
    };
  }

  /** The current value of a counter series (tests and the bench read it). */
  value(name: string, labels: Labels = {}): number {
    return this.#series.get(name)?.values.get(key(labels))?.value ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, s] of this.#series) {
      lines.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
      if (s.type === "gauge" && s.read) lines.push(`${name} ${s.read()}`);
      for (const { labels, value } of s.values.values())
        lines.push(`${name}${renderLabels(labels)} ${value}`);
      for (const h of s.histograms.values()) {
        s.buckets.forEach((le, i) => {
          lines.push(`${name}_bucket${renderLabels(h.labels, { le: String(le) })} ${h.counts[i]}`);
        });
        lines.push(`${name}_bucket${renderLabels(h.labels, { le: "+Inf" })} ${h.count}`);
        lines.push(`${name}_sum${renderLabels(h.labels)} ${h.sum}`);
        lines.push(`${name}_count${renderLabels(h.labels)} ${h.count}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
}
