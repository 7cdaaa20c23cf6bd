/** `genrm report`'s defaults, in a module of their own so the command table loads nothing else. */
export const defaultReportOptions = {
  /** The page written. */
  out: "report.html",
  /** Failure examples shown per eval run. */
  examples: 5,
} as const;
