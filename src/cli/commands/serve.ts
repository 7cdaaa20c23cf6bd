/**
 * `genrm serve`: the HTTP reward server (see docs/serving.md). Opens the judge engine, listens, and
 * on SIGTERM or SIGINT drains: in-flight requests finish, new ones get 503, then the engine is
 * disposed and the process exits 0. A second signal exits at once.
 */
import { ConfigError } from "../../errors.js";
import { defaultRatingJudgeOptions } from "../../judge/createRatingJudge.js";
import type { SelectionScheme } from "../../rank/types.js";
import { startServer } from "../../serve/main.js";
import type { GroupScheme, RewardMode } from "../../serve/types.js";
import { type JudgeFlags, judgeOptionsFromFlags, openJudgeEngine, samplingFromFlags } from "../judgeFlags.js";

export interface ServeCommandOptions extends JudgeFlags {
  host?: string;
  port?: number;
  /** Bearer token; defaults to $GENRM_SERVE_TOKEN. */
  token?: string;
  /** false (from --no-auth): allow serving beyond loopback without a token. */
  auth?: boolean;
  concurrency?: number;
  maxQueue?: number;
  /** Per-request deadline in seconds. */
  timeout?: number;
  /** Body limit in bytes. */
  maxBody?: number;
  scheme?: SelectionScheme;
  rewardMode?: RewardMode;
  /** Seconds to wait for in-flight requests on shutdown. */
  drainTimeout?: number;
  groupSize?: number;
  /** Milliseconds. */
  groupTimeout?: number;
  maxOpenGroups?: number;
  groupScheme?: GroupScheme;
  groupNormalize?: "none" | "grpo";
  /** "rating": /get_reward and /v1/reward rate each rollout 1–10 (and /v1/rank scheme scalar uses it). */
  listwise?: "rating";
  /** Stops the server like SIGTERM (tests, embedding). */
  signal?: AbortSignal;
}

export async function runServeCommand(options: ServeCommandOptions): Promise<void> {
  if (!options.model && !options.baseUrl) {
    throw new ConfigError(["model: the judge model to serve"], {
      hint: "pass --model judge.gguf, or --base-url http://host:8000/v1 --model NAME",
    });
  }
  const judge = await judgeOptionsFromFlags(options);
  const engine = await openJudgeEngine(options);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(engine, {
      judge,
      ...(options.host ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.token ? { token: options.token } : {}),
      allowNoAuth: options.auth === false,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
      ...(options.timeout !== undefined ? { timeoutMs: Math.round(options.timeout * 1000) } : {}),
      ...(options.maxBody !== undefined ? { maxBodyBytes: options.maxBody } : {}),
      ...(options.scheme ? { scheme: options.scheme } : {}),
      ...(options.rewardMode ? { rewardMode: options.rewardMode } : {}),
      ...(options.drainTimeout !== undefined
        ? { drainTimeoutMs: Math.round(options.drainTimeout * 1000) }
        : {}),
      ...(options.groupSize !== undefined ? { groupSize: options.groupSize } : {}),
      ...(options.groupTimeout !== undefined ? { groupTimeoutMs: options.groupTimeout } : {}),
      ...(options.maxOpenGroups !== undefined ? { maxOpenGroups: options.maxOpenGroups } : {}),
      ...(options.groupScheme ? { groupScheme: options.groupScheme } : {}),
      ...(options.groupNormalize ? { groupNormalize: options.groupNormalize } : {}),
      ...(options.listwise === "rating"
        ? {
            rating: {
              k: options.k ?? defaultRatingJudgeOptions.k,
              seed: options.seed ?? defaultRatingJudgeOptions.seed,
              sampling: samplingFromFlags(options),
            },
          }
        : {}),
      seed: options.seed ?? 0,
    });
  } catch (error) {
    await engine.dispose();
    throw error;
  }
  const auth = server.serveApp.config.token ? "bearer token required" : "no auth";
  process.stderr.write(
    `genrm serve: ${server.url} (${engine.info.modelName}, ${judge.protocol} judge${options.listwise === "rating" ? ", rewards by rating" : ""}, ${auth})\n` +
      "  POST /get_reward  POST /v1/reward  POST /v1/judge  POST /v1/rank  GET /health  GET /metrics\n",
  );
  const forceExit = (code: number) => () => process.exit(code);
  const exitOnInt = forceExit(130);
  const exitOnTerm = forceExit(143);
  await new Promise<void>((resolve) => {
    const stop = (how: "signal" | "abort") => () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      if (how === "signal") {
        process.stderr.write("genrm serve: draining in-flight requests (signal again to exit now)\n");
        process.once("SIGINT", exitOnInt);
        process.once("SIGTERM", exitOnTerm);
      }
      resolve();
    };
    const onSignal = stop("signal");
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
    if (options.signal?.aborted) stop("abort")();
    else options.signal?.addEventListener("abort", stop("abort"), { once: true });
  });
  await server.close();
  await engine.dispose();
  process.off("SIGINT", exitOnInt);
  process.off("SIGTERM", exitOnTerm);
  process.stderr.write("genrm serve: stopped\n");
}
