import { availableParallelism } from "node:os";

/** `runDemo`'s defaults, in a module of their own so the command table shows them without loading the demo. */
export const defaultDemoOptions = {
  outDir: "genrm-demo",
  seed: 0,
  /** The world model is tiny: one llama.cpp thread is as fast as two and leaves a core free. */
  threads: 1,
  /**
   * Stages side by side, a process each: a lane's decoding needs one core (above), so two lanes
   * fill a 2-core machine. More lanes than cores only take turns.
   */
  jobs: (): number => Math.min(2, availableParallelism()),
};
