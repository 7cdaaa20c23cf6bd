import fs from "node:fs";

let cached: string | undefined;

/** genrm's package version, recorded with every result. Works from src/ (tsx) and dist/ alike. */
export function genrmVersion(): string {
  cached ??= (
    JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return cached;
}
