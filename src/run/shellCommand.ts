/**
 * Commands genrm runs on the user's behalf (`genrm star --trainer-cmd`, `--serve-cmd`): a template
 * with `{placeholder}`s filled with shell-quoted values, run by bash in a process group of its own,
 * its output appended to a log file line by line.
 *
 * A command never outlives genrm: it runs under a small bash watchdog that kills the whole group
 * when its stdin (a pipe from genrm) closes, which happens however genrm ends, SIGKILL included.
 * An orphaned trainer would otherwise keep writing into a run directory that a rerun is already
 * training into again.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../errors.js";

/** `'…'` quoting for bash: the value is one word whatever it holds. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Fills `{name}` placeholders with shell-quoted values. An unknown placeholder is a ConfigError
 * naming the known ones (a typo would otherwise reach the trainer as a literal `{modle}`); `{{`
 * and `}}` stand for literal braces.
 */
export function fillCommandTemplate(
  template: string,
  values: Readonly<Record<string, string>>,
  what = "command",
): string {
  const unknown = new Set<string>();
  const filled = template.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name?: string) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    const value = values[name!];
    if (value === undefined) {
      unknown.add(name!);
      return match;
    }
    return shellQuote(value);
  });
  if (unknown.size > 0) {
    throw new ConfigError(
      [
        `${what}: unknown placeholder${unknown.size > 1 ? "s" : ""} ${[...unknown].map((n) => `{${n}}`).join(", ")}; known: ${Object.keys(
          values,
        )
          .map((n) => `{${n}}`)
          .join(", ")}`,
      ],
      { hint: "write literal braces as {{ and }}" },
    );
  }
  return filled;
}

export interface ShellProcessOptions {
  /** Appended to (created with its directory): every line the command prints, stdout and stderr. */
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Each line as it is printed. */
  onLine?: (line: string) => void;
}

export interface ShellProcess {
  /** The watchdog's pid (the command's process group is its child's). */
  readonly pid: number;
  /** Settles when the command has exited: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the command's group; SIGKILL after `graceMs` (default 5000). Resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
  /** The last `n` lines the command printed. */
  tail(n?: number): string[];
}

// `setsid` puts the command in a new process group (its pid is the group id), so the watchdog can
// reach everything the command starts. The watcher kills that group when stdin reaches EOF.
const watchdog = `
setsid bash -c "$1" <&- &
child=$!
trap 'kill -TERM -- -"$child" 2>/dev/null' TERM INT
( while read -r _; do :; done; kill -KILL -- -"$child" 2>/dev/null ) <&0 &
watcher=$!
wait "$child"
status=$?
kill "$watcher" 2>/dev/null
exit $status
`;

export function startShellCommand(command: string, options: ShellProcessOptions): ShellProcess {
  const { logFile, onLine } = options;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, "a");
  fs.writeSync(log, `# ${new Date().toISOString()} $ ${command}\n`);
  const child = spawn("bash", ["-c", watchdog, "genrm-command", command], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const partial = { out: "", err: "" };
  const take = (key: "out" | "err") => (chunk: Buffer) => {
    fs.writeSync(log, chunk);
    const parts = (partial[key] + chunk.toString("utf8")).split(/\r?\n|\r/);
    partial[key] = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
    if (lines.length > 400) lines.splice(0, lines.length - 200);
  };
  child.stdout.on("data", take("out"));
  child.stderr.on("data", take("err"));
  // The pipe stays open and silent: its EOF is the watchdog's signal that genrm is gone.
  child.stdin.on("error", () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => {
      for (const key of ["out", "err"] as const) {
        if (partial[key] !== "") {
          lines.push(partial[key]);
          onLine?.(partial[key]);
        }
      }
      fs.writeSync(log, `# exited: ${signal ?? code}\n`);
      fs.closeSync(log);
      resolve({ code, signal });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    pid: child.pid ?? -1,
    exited,
    tail: (n = 20) => lines.slice(-n),
    async stop(graceMs = 5000) {
      if (done) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.stdin.end(), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
