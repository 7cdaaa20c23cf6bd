/**
 * SIGINT / SIGTERM for long-running commands: the first signal aborts `signal` so the work stops at
 * its next safe point (a checkpoint, a finished sample) and can be resumed; a second one exits at
 * once with 130. `dispose` takes the handlers off again.
 */
export interface GracefulStop {
  signal: AbortSignal;
  dispose(): void;
}

/** `message` follows "<SIGNAL>: " on stderr, e.g. "stopping after this step and saving a checkpoint". */
export function gracefulStop(message: string): GracefulStop {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    process.stderr.write(`\n${signal}: ${message} (send again to quit now)\n`);
    controller.abort(new Error(signal));
    process.once(signal, () => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    },
  };
}
