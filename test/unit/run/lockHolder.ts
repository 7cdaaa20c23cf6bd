/**
 * A child process for the run-directory lock tests: `lockHolder.ts <dir> hold` takes the lock and
 * keeps it until killed; `lockHolder.ts <dir> try` takes and releases it. Prints `locked <pid>`, or
 * the error as JSON (exit code 3).
 */
import { GenrmError } from "../../../src/errors.js";
import { lockRunDir } from "../../../src/run/runDirLock.js";

const [dir, mode] = process.argv.slice(2);
try {
  const lock = lockRunDir(dir!, "test");
  process.stdout.write(`locked ${process.pid}\n`);
  if (mode === "hold") setInterval(() => {}, 1 << 30);
  else lock.release();
} catch (err) {
  const e = err as GenrmError;
  process.stdout.write(
    `${JSON.stringify({ name: e.name, code: e.code, message: e.message, hint: e.hint })}\n`,
  );
  process.exitCode = err instanceof GenrmError ? 3 : 4;
}
