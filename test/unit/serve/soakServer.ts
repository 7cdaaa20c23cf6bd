/**
 * The soak's server process (soak.ts spawns it): the reward server on the model-free length engine,
 * shut down on SIGTERM exactly as `genrm serve` is (drain, then exit 0), so the soak watches the
 * memory and the shutdown of a process of its own. Prints `listening <url>` once it accepts work,
 * and on SIGUSR2 collects garbage (with --expose-gc) and prints `heap <bytes used>`: live memory,
 * which unlike RSS does not wander with the collector's timing.
 *
 *   node --expose-gc --import tsx test/unit/serve/soakServer.ts '<StartServerOptions as JSON>' [delayMs] [contextSize]
 */
import { startServer } from "../../../src/serve/index.js";
import { lengthEngine } from "./lengthEngine.js";

const options = JSON.parse(process.argv[2] ?? "{}");
const delayMs = Number(process.argv[3] ?? 1);
const contextSize = Number(process.argv[4] ?? 256);
const engine = lengthEngine({ delayMs, contextSize, record: false });
const server = await startServer(engine, { port: 0, ...options });
process.stdout.write(`listening ${server.url}\n`);
process.on("SIGUSR2", () => {
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`heap ${process.memoryUsage().heapUsed}\n`);
});
process.once("SIGTERM", async () => {
  await server.close();
  await engine.dispose();
  process.exit(0);
});
