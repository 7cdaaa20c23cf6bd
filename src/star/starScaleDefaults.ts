/**
 * Constants of STaR at scale that the command table shows, in a module of their own so `genrm --help`
 * does not load the trainer runner or the HTTP engine behind them.
 */

/** The placeholders `--trainer-cmd` may use, each filled with a shell-quoted value (docs/star-at-scale.md). */
export const trainerPlaceholders = [
  "spec",
  "method",
  "model",
  "adapter",
  "ref_model",
  "data",
  "rows",
  "out",
  "result",
  "seed",
  "lr",
  "beta",
  "epochs",
  "batch_size",
  "grad_accum",
  "max_length",
  "lora_r",
  "lora_alpha",
  "iteration",
] as const;

/** How long a server started by `--serve-cmd` may take to answer `/health` (big models load slowly). */
export const defaultReadyTimeoutMs = 600_000;
