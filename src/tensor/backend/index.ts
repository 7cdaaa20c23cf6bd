/**
 * Chooses the kernel backend once, on first use: `GENRM_BACKEND=reference` forces the TS kernels,
 * `GENRM_BACKEND=native` requires the addon, and by default the addon is used when it loads, with
 * one warning when it does not.
 */
import { UnsupportedError } from "../../errors.js";
import { loadNativeBackend } from "./native.js";
import { referenceBackend } from "./reference.js";
import type { Backend } from "./types.js";

let active: Backend | null = null;

export function getBackend(): Backend {
  if (active !== null) return active;
  const want = process.env.GENRM_BACKEND;
  if (want === "reference") {
    active = referenceBackend;
    return active;
  }
  if (want !== undefined && want !== "" && want !== "native") {
    throw new UnsupportedError(`GENRM_BACKEND=${want} is not a backend`, {
      hint: "use GENRM_BACKEND=native or GENRM_BACKEND=reference",
    });
  }
  const native = loadNativeBackend();
  if (native.backend !== null) {
    active = native.backend;
  } else if (want === "native") {
    throw new UnsupportedError(`GENRM_BACKEND=native but the native addon did not load: ${native.error}`, {
      hint: "build it with `npm run build:native` (needs a C++ compiler and node-gyp)",
    });
  } else {
    process.emitWarning(
      `genrm: native kernels unavailable (${native.error}); using the slow TypeScript reference backend. Build them with \`npm run build:native\`.`,
      { code: "GENRM_NO_NATIVE" },
    );
    active = referenceBackend;
  }
  return active;
}

/** Switches backend for the rest of the process (tests compare backends with it). */
export function setBackend(backend: Backend): void {
  active = backend;
}

/** Runs `fn` with `backend` active, restoring the previous choice after. */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const prev = active;
  active = backend;
  try {
    return fn();
  } finally {
    active = prev;
  }
}

export { loadNativeBackend } from "./native.js";
export { referenceBackend } from "./reference.js";
export type { Backend, RopeStyle } from "./types.js";
