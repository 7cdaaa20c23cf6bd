/**
 * Starts llama.cpp's `llama-server` (built by scripts/build-llama-server.sh into the genrm cache) on a
 * free loopback port, waits for `/health`, and takes it down again.
 *
 * Servers never outlive the test process: `stop()` kills the server's process group, every server
 * still running is killed on process exit, and the server runs under a small bash watchdog that
 * kills it when its stdin (a pipe from this process) closes, which also happens when the test
 * worker itself is killed with SIGKILL.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const buildScript = "scripts/build-llama-server.sh";

/** Where the build script installs the binary for the llama.cpp bundle node-llama-cpp ships. */
export function llamaServerBinaryPath(): string {
  const bundle = join(repoRoot, "node_modules/node-llama-cpp/llama/gitRelease.bundle");
  const heads = execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" });
  const commit = heads.trim().split(/\s+/)[0];
  const cacheRoot = process.env.GENRM_CACHE_DIR || join(homedir(), ".cache/genrm");
  return join(cacheRoot, "llama-server", commit, "llama-server");
}

/** The cached binary, or an error telling how to build it (tests fail loudly rather than skip). */
export function requireLlamaServer(): string {
  const binary = llamaServerBinaryPath();
  if (!existsSync(binary)) {
    throw new Error(
      `llama-server is not built (expected ${binary}). Run \`bash ${buildScript}\` first ` +
        "(about 15 minutes on 2 cores, no network needed); CI runs it before the tests.",
    );
  }
  return binary;
}

export interface LlamaServerOptions {
  /** GGUF file to serve. */
  model: string;
  /** Served model name (`--alias`). Defaults to "tiny". */
  alias?: string;
  /** Parallel slots (`--parallel`); also the most `n` one request may ask for. Defaults to 2. */
  parallel?: number;
  /** Total context in tokens, shared by the slots. Defaults to 1024. */
  contextSize?: number;
  /** CPU threads. Defaults to 2 (the machine's cores; more only contend). */
  threads?: number;
  /** Further command-line flags. */
  extraArgs?: string[];
  /** Limit for loading and the first healthy `/health`. Defaults to 60000. */
  startTimeoutMs?: number;
}

export interface LlamaServerHandle {
  /** OpenAI base URL, `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  port: number;
  pid: number;
  /** The last lines llama-server printed, for failure messages. */
  logs(): string;
  /**
   * Resolves with the next line llama-server prints (after this call) that matches `pattern`;
   * rejects after `timeoutMs`. Lets a test see what the server did without querying it.
   */
  nextLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Kills the server (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /** Kills it at once with SIGKILL, like a crash, and waits for it to exit. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

// Runs the server in the background and kills it when stdin reaches EOF (the parent died) or the
// wrapper is told to stop. The wrapper exits with the server's exit status.
const watchdog = `
"$@" &
child=$!
trap 'kill -9 "$child" 2>/dev/null' TERM INT
( while read -r _; do :; done; kill -9 "$child" 2>/dev/null ) <&0 &
watcher=$!
wait "$child"
status=$?
kill "$watcher" 2>/dev/null
exit $status
`;

export async function startLlamaServer(options: LlamaServerOptions): Promise<LlamaServerHandle> {
  const binary = requireLlamaServer();
  const {
    model,
    alias = "tiny",
    parallel = 2,
    contextSize = 1024,
    threads = 2,
    extraArgs = [],
    startTimeoutMs = 60_000,
  } = options;
  const port = await freePort();
  const args = [
    "--model",
    model,
    "--alias",
    alias,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--threads",
    String(threads),
    "--threads-batch",
    String(threads),
    "--ctx-size",
    String(contextSize),
    "--parallel",
    String(parallel),
    "--no-webui",
    "--no-warmup",
    // Idle worker threads sleep instead of spinning: the test machine's cores are shared.
    "--poll",
    "0",
    // No host-memory prompt cache: tests are short and the machine is shared.
    "--cache-ram",
    "0",
    ...extraArgs,
  ];
  const child = spawn("bash", ["-c", watchdog, "llama-server-watchdog", binary, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
    // Own process group, so stop() reaches both the wrapper and the server.
    detached: true,
  });
  running.add(child);
  const lines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  let partial = "";
  const keep = (chunk: Buffer) => {
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      if (!line.trim()) continue;
      lines.push(line);
      for (const watch of watchers) watch(line);
    }
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  const nextLog = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<string>((resolveLine, reject) => {
      const watch = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        watchers.delete(watch);
        resolveLine(line);
      };
      const timer = setTimeout(() => {
        watchers.delete(watch);
        reject(
          new Error(`llama-server printed no line matching ${pattern} within ${timeoutMs} ms:\n${logs()}`),
        );
      }, timeoutMs);
      watchers.add(watch);
    });
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolveExit) => {
    child.on("exit", (code) => {
      running.delete(child);
      resolveExit(code);
    });
  });
  const logs = () => lines.slice(-40).join("\n");

  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child, signal);
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  const handle: LlamaServerHandle = {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    pid: child.pid ?? -1,
    logs,
    nextLog,
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
  };

  const deadline = Date.now() + startTimeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`llama-server exited with code ${exitCode} while starting:\n${logs()}`);
    }
    if (await healthy(port)) return handle;
    await new Promise((r) => setTimeout(r, 150));
  }
  await handle.stop();
  throw new Error(`llama-server did not become healthy within ${startTimeoutMs} ms:\n${logs()}`);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** A port that was free a moment ago (the OS picks it); llama-server binds it right after. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
