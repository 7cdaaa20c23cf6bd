import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Native modules (node-llama-cpp, better-sqlite3, our addon) are safest in forked processes.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/native/**/*.test.ts"],
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        // Model and end-to-end tests run llama.cpp with threads = cores. Two such files at once
        // oversubscribe the CPU and llama.cpp's spinning thread barriers collapse decode speed
        // (measured: 0.3 instead of 36 tokens/s), so these files run one at a time.
        test: {
          name: "model",
          include: ["test/model/**/*.test.ts", "test/e2e/**/*.test.ts"],
          fileParallelism: false,
        },
      },
      {
        extends: true,
        // Fault injection (docs/guarantees.md): CLI runs SIGKILLed, run directories and stores on
        // full or read-only disks, concurrent processes. `npm test` runs the short form (fewer
        // seeded kills); `npm run test:faults` sets GENRM_FAULTS=full. One file at a time, for the
        // same reason as the model project.
        test: {
          name: "faults",
          include: ["test/faults/**/*.test.ts"],
          fileParallelism: false,
        },
      },
    ],
  },
});
