import path from "node:path";

/**
 * The sample store shared by runs started in this directory. Per-project rather than global so a
 * project's cached samples travel with it; override with --store or GENRM_STORE.
 */
export function defaultStorePath(): string {
  return process.env.GENRM_STORE ?? path.join(".genrm", "store.db");
}
