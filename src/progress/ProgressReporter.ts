/**
 * Progress for long work. On a TTY: a cli-progress bar with rate, ETA and a few live metrics.
 * Elsewhere (CI, pipes, log files): a plain line every `intervalMs`, so logs stay readable and a
 * killed run still shows how far it got. Always writes to stderr: stdout is for results.
 */
import cliProgress from "cli-progress";

export interface ProgressUpdate {
  done: number;
  total: number;
  /** Extra metrics shown next to the bar, e.g. { acc: "0.71", tok_s: "212" }. */
  metrics?: Record<string, string | number>;
}

export interface ProgressReporterOptions {
  /** What is being counted, e.g. "pairs". */
  unit?: string;
  /** Force bar or plain mode. Defaults to bar when stderr is a TTY. */
  mode?: "bar" | "plain" | "silent";
  /** Minimum time between plain lines. Defaults to 5000 ms. */
  intervalMs?: number;
  stream?: NodeJS.WriteStream;
}

export interface ProgressReporter {
  update(p: ProgressUpdate): void;
  stop(): void;
}

export function createProgressReporter(
  label: string,
  options: ProgressReporterOptions = {},
): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const mode = options.mode ?? (stream.isTTY ? "bar" : "plain");
  const unit = options.unit ?? "items";
  if (mode === "silent") return { update() {}, stop() {} };
  if (mode === "bar") return barReporter(label, unit, stream);
  return plainReporter(label, unit, stream, options.intervalMs ?? 5000);
}

function formatMetrics(metrics: Record<string, string | number> | undefined): string {
  if (!metrics) return "";
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${v}`)
    .join(" | ");
}

function barReporter(label: string, unit: string, stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} ${unit} | {rate}/s | ETA {eta_formatted} {metrics}`,
      stream,
      hideCursor: true,
      etaBuffer: 50,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update({ done, total, metrics }) {
      const rate = (done / Math.max(1e-3, (Date.now() - started) / 1000)).toFixed(2);
      const payload = { rate, metrics: formatMetrics(metrics) };
      if (!running) {
        bar.start(total, done, payload);
        running = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

function plainReporter(
  label: string,
  unit: string,
  stream: NodeJS.WriteStream,
  intervalMs: number,
): ProgressReporter {
  const started = Date.now();
  let lastAt = 0;
  let last: ProgressUpdate | undefined;
  const print = (p: ProgressUpdate) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = p.done / Math.max(1e-3, elapsed);
    const eta = rate > 0 ? (p.total - p.done) / rate : Number.NaN;
    const extra = formatMetrics(p.metrics);
    stream.write(
      `${label}: ${p.done}/${p.total} ${unit} (${((100 * p.done) / Math.max(1, p.total)).toFixed(1)}%) ` +
        `${rate.toFixed(2)}/s, elapsed ${formatSeconds(elapsed)}, ETA ${formatSeconds(eta)}${extra ? ` | ${extra}` : ""}\n`,
    );
  };
  return {
    update(p) {
      last = p;
      const now = Date.now();
      if (now - lastAt >= intervalMs || p.done === p.total) {
        lastAt = now;
        print(p);
      }
    },
    stop() {
      if (last && last.done !== last.total) print(last);
    },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
