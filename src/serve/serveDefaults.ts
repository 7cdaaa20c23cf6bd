/** `startServer`'s defaults, in a module of their own so the command table shows them without loading the server. */
export const defaultStartServerOptions = {
  host: "127.0.0.1",
  port: 8000,
  allowNoAuth: false,
  drainTimeoutMs: 30_000,
};
