/**
 * A headless Chromium for browser tests: Debian's `chromium` package, installed with apt-get by the
 * test's own setup where it is absent and the process may (root, apt-get present, registry
 * reachable). Where it cannot be had, the reason is returned so the test skips and says why.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

function installed(): string | undefined {
  const fromEnv = process.env.GENRM_CHROMIUM;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  return candidates.find((c) => fs.existsSync(c));
}

/** The browser's path, or why there is none. Installing takes minutes: give the hook time. */
export function findOrInstallChromium(): { path: string } | { skip: string } {
  const found = installed();
  if (found) return { path: found };
  if (process.platform !== "linux") return { skip: `no Chromium at ${candidates.join(" or ")} (not Linux)` };
  if (process.getuid?.() !== 0)
    return { skip: "Chromium is not installed and installing it needs root (apt-get install chromium)" };
  if (spawnSync("apt-get", ["--version"]).status !== 0)
    return { skip: "Chromium is not installed and there is no apt-get" };
  // Within the browser test's 15-minute setup: the package and its libraries take 1–3 minutes.
  const run = (args: string[], timeout: number) =>
    spawnSync("apt-get", args, {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      encoding: "utf8",
      timeout,
    });
  const update = run(["update", "-qq"], 240_000);
  const install = update.status === 0 ? run(["install", "-y", "-qq", "chromium"], 480_000) : update;
  const now = installed();
  if (now) return { path: now };
  const tail = `${install.stderr ?? ""}${install.error ? String(install.error) : ""}`
    .trim()
    .split("\n")
    .slice(-3)
    .join(" | ");
  return { skip: `apt-get install chromium failed (exit ${install.status}): ${tail}` };
}
