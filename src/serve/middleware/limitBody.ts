/**
 * Request body size limit. Hono's bodyLimit checks Content-Length up front and counts streamed
 * (chunked) bodies as they arrive, so an oversize body is refused before it is buffered whole; this
 * factory only turns its refusal into our error body.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HttpError } from "../HttpError.js";

export function limitBody(options: { maxBytes: number }): MiddlewareHandler {
  const { maxBytes } = options;
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HttpError(413, "payload_too_large", `request body exceeds ${maxBytes} bytes`);
    },
  });
}
