import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/errors.js";
import { fillCommandTemplate, shellQuote, startShellCommand } from "../../../src/run/shellCommand.js";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "genrm-shell-"));

describe("command templates", () => {
  it("fills placeholders with values bash reads back as one word each", () => {
    const values = { a: "it's here", b: "/p/q r", c: "$(touch /tmp/x)", d: "" };
    const cmd = fillCommandTemplate("printf '%s|' {a} {b} {c} {d} {{literal}}", values);
    expect(execFileSync("bash", ["-c", cmd], { encoding: "utf8" })).toBe(
      "it's here|/p/q r|$(touch /tmp/x)||{literal}|",
    );
    expect(shellQuote("plain/path-1.gguf")).toBe("plain/path-1.gguf");
  });

  it("refuses an unknown placeholder, naming the known ones", () => {
    const error = (() => {
      try {
        fillCommandTemplate("train --model {modle}", { model: "m" }, "trainerCmd");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /trainerCmd: unknown placeholder \{modle\}; known: \{model\}/,
    );
  });
});

describe("startShellCommand", () => {
  it("logs every line, reports the exit code and keeps the tail", async () => {
    const dir = tmp();
    const seen: string[] = [];
    const proc = startShellCommand("echo one; echo two >&2; printf three; exit 3", {
      logFile: path.join(dir, "sub", "log.txt"),
      onLine: (l) => seen.push(l),
    });
    expect(await proc.exited).toEqual({ code: 3, signal: null });
    expect(seen.sort()).toEqual(["one", "three", "two"]);
    expect(proc.tail(2)).toHaveLength(2);
    const log = fs.readFileSync(path.join(dir, "sub", "log.txt"), "utf8");
    expect(log).toMatch(/^# .* \$ echo one/);
    expect(log).toContain("one\n");
    expect(log).toMatch(/# exited: 3\n$/);
  });

  it("stop() ends the command and everything it started", async () => {
    const dir = tmp();
    const marker = `genrm-stop-${process.pid}-${Date.now()}`;
    const proc = startShellCommand(`sleep 30 & exec -a ${marker} sleep 31`, {
      logFile: path.join(dir, "log"),
    });
    await new Promise((r) => setTimeout(r, 300));
    await proc.stop(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(running(marker)).toBe(false);
  });

  it("a command dies with the process that started it, even on SIGKILL", async () => {
    const dir = tmp();
    const marker = `genrm-orphan-${process.pid}-${Date.now()}`;
    const script = path.join(dir, "parent.mts");
    fs.writeFileSync(
      script,
      `import { startShellCommand } from ${JSON.stringify(path.resolve("src/run/shellCommand.ts"))};
startShellCommand("exec -a ${marker} sleep 40", { logFile: ${JSON.stringify(path.join(dir, "log"))} });
setTimeout(() => process.kill(process.pid, "SIGKILL"), 500);`,
    );
    try {
      execFileSync(process.execPath, ["--import", "tsx", script], { stdio: "ignore" });
    } catch {
      // Killed, as intended.
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(running(marker)).toBe(false);
  });
});

function running(marker: string): boolean {
  try {
    execFileSync("pgrep", ["-f", marker], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
