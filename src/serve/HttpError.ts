/**
 * An error that knows its HTTP answer. Routes and middleware throw these; `onError` in app.ts turns
 * them into the one error body, `{error: {code, message, field?}}`. Codes are stable snake_case
 * strings a client can branch on.
 */
export type HttpErrorCode =
  | "invalid_json"
  | "invalid_request"
  | "unauthorized"
  | "not_found"
  | "payload_too_large"
  | "queue_full"
  | "timeout"
  | "shutting_down"
  | "unsupported"
  | "engine_error"
  | "internal";

export class HttpError extends Error {
  readonly status: 400 | 401 | 404 | 413 | 429 | 500 | 502 | 503 | 504;
  readonly code: HttpErrorCode;
  /** The request field at fault, as a path (`candidates[2]`, `budget.max_tokens`). */
  readonly field?: string;
  /** Extra response headers (Retry-After, WWW-Authenticate). */
  readonly headers: Record<string, string>;

  constructor(
    status: HttpError["status"],
    code: HttpErrorCode,
    message: string,
    options: { field?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }

  body(): { error: { code: HttpErrorCode; message: string; field?: string } } {
    return {
      error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) },
    };
  }
}
