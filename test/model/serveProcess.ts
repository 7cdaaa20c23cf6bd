/**
 * `genrm serve` as a child process on a tiny GGUF, for the model tests that need the real command:
 * started with the direct protocol on a free port, resolved once it prints its URL.
 */
import type { ChildProcess } from "node:child_process";
import { spawnCli } from "../helpers/cli.js";

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export async function startServeProcess(modelPath: string, extra: string[]): Promise<ServeProcess> {
  const child = spawnCli([
    "serve",
    ...["--model", modelPath, "--protocol", "direct", "--port", "0"],
    ...["--threads", "1", "--parallel", "4", "--context-size", "1024"],
    ...extra,
  ]);
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 60 s:\n${stderr}`)), 60_000);
    child.stderr!.on("data", () => {
      const m = /genrm serve: (http:\/\/[^\s]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before listening:\n${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, url, stderr: () => stderr, exited };
}
