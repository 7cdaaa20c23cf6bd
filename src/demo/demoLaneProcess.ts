/**
 * A child process running one lane of `genrm demo --jobs N` (`runDemoLanes`): it receives the lane's
 * options over IPC, runs its stages (`runDemoLane`) and answers with "done" or the error.
 * SIGINT / SIGTERM stop the lane at its next safe point. Losing the parent (killed: the IPC channel
 * closes) ends it at once, as if it had been killed with it; what it finished stays for the next
 * run, and a stage it was in is locked until it has exited.
 */
import { type SerializedError, serializeError } from "../errors.js";
import type { DemoOptions } from "./runDemo.js";
import { runDemoLane } from "./runDemo.js";
import type { DemoMethodId } from "./types.js";

export interface DemoLaneRequest {
  options: Required<Pick<DemoOptions, "outDir" | "preset" | "seed" | "baseModel" | "threads">> & {
    methods: DemoMethodId[];
    progress: "plain" | "silent";
  };
}

export type DemoLaneMessage = { type: "done" } | { type: "error"; error: SerializedError };

const controller = new AbortController();
const stop = () => controller.abort(new Error("the demo was stopped"));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
process.on("disconnect", () => process.exit(137));

process.once("message", (request: DemoLaneRequest) => {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  runDemoLane({ ...request.options, signal: controller.signal, log }).then(
    () => reply({ type: "done" }, 0),
    (error: unknown) => reply({ type: "error", error: serializeError(error) }, 1),
  );
});

function reply(message: DemoLaneMessage, code: number): void {
  if (!process.connected) process.exit(code);
  process.send?.(message, () => process.exit(code));
}
