import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Native modules (node-llama-cpp, better-sqlite3, our addon) are safest in forked processes.
    pool: "forks",
    // The machine has 2 cores; model tests are CPU-bound and fight each other when run wide.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
