/**
 * Runs the demo's lanes (`planDemoLanes`) side by side, one child process each
 * (`demoLaneProcess`). Processes, not promises in one process: genrm's trainer computes on the main
 * thread, so a lane that trains would stall the other lane's decoding between its steps.
 *
 * The parent holds the run directory's lock; each lane writes only its own stages' records,
 * checkpoints and judgments, and shares the SQLite sample store (WAL, so concurrent writers wait
 * for each other). Lanes take a share of the cores for genrm's trainer (`GENRM_THREADS`, unless set).
 * A lane that fails stops the others; stopping the parent (its signal) stops every lane at its next
 * safe point, and a child whose parent died stops by itself, so rerunning the command resumes.
 */
import { fork } from "node:child_process";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AbortedError, deserializeError, GenrmError } from "../errors.js";
import type { DemoLaneMessage, DemoLaneRequest } from "./demoLaneProcess.js";
import type { DemoMethodId } from "./types.js";

export interface DemoLanesOptions {
  /** What every lane runs with; each lane adds its own `methods`. */
  options: Omit<DemoLaneRequest["options"], "methods">;
  log: (line: string) => void;
  signal?: AbortSignal;
}

export async function runDemoLanes(lanes: DemoMethodId[][], opts: DemoLanesOptions): Promise<void> {
  const { log, signal } = opts;
  signal?.throwIfAborted();
  log(
    `${lanes.length} lanes side by side (--jobs): ${lanes.map((l, i) => `lane ${i + 1}: ${l.join(", ")}`).join("; ")}`,
  );
  const trainerThreads =
    process.env.GENRM_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / lanes.length)));
  const children = lanes.map((methods, i) =>
    startLane(
      i + 1,
      { options: { ...opts.options, methods } },
      { ...process.env, GENRM_THREADS: trainerThreads },
      log,
    ),
  );
  const stopAll = () => {
    for (const c of children) c.stop();
  };
  signal?.addEventListener("abort", stopAll, { once: true });
  try {
    const outcomes = await Promise.allSettled(
      children.map((c) =>
        c.done.catch((error: unknown) => {
          // The first failure stops the rest: their stages resume on the next run.
          stopAll();
          throw error;
        }),
      ),
    );
    if (signal?.aborted) throw new AbortedError(signal.reason);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) throw failed.reason;
  } finally {
    signal?.removeEventListener("abort", stopAll);
  }
}

interface LaneChild {
  done: Promise<void>;
  stop(): void;
}

function startLane(
  lane: number,
  request: DemoLaneRequest,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): LaneChild {
  const { modulePath, execArgv } = laneModule();
  const child = fork(modulePath, [], { execArgv, env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const prefix = `[lane ${lane}] `;
  const forward = (stream: NodeJS.ReadableStream | null) => {
    let buffered = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.length > 0) log(prefix + line);
    });
    stream?.on("end", () => {
      if (buffered.length > 0) log(prefix + buffered);
    });
  };
  forward(child.stdout);
  forward(child.stderr);
  let reply: DemoLaneMessage | undefined;
  child.on("message", (m: DemoLaneMessage) => {
    reply = m;
  });
  const what = `demo lane ${lane} (${request.options.methods.join(", ")})`;
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (error) => reject(new GenrmError("GENRM_INTERNAL", `${what}: ${error.message}`)));
    child.on("exit", (code, exitSignal) => {
      if (code === 0 && reply?.type === "done") return resolve();
      if (reply?.type === "error") {
        const error = deserializeError(reply.error);
        if (!(error instanceof GenrmError)) {
          return reject(new GenrmError("GENRM_INTERNAL", `${what}: ${error.message}`));
        }
        error.message = `${what}: ${error.message}`;
        return reject(error);
      }
      reject(
        new GenrmError(
          "GENRM_INTERNAL",
          `${what} exited ${exitSignal ? `on ${exitSignal}` : `with code ${code}`} without a result`,
          { hint: "rerun the same command to resume; its finished stages are kept" },
        ),
      );
    });
  });
  child.send(request);
  return {
    done,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
  };
}

/**
 * The lane's entry point next to this module: `.js` in the package; `.ts` when genrm runs from
 * source (tests, `tsx`), which the child loads through tsx as its parent did.
 */
function laneModule(): { modulePath: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  const modulePath = path.join(path.dirname(here), `demoLaneProcess${ext}`);
  return { modulePath, execArgv: ext === ".ts" ? ["--import", import.meta.resolve("tsx")] : [] };
}
