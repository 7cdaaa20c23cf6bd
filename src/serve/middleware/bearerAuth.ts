/**
 * Bearer-token auth (RFC 6750). The token is compared in constant time so response timing does not
 * leak how much of a guess was right. A refusal carries `WWW-Authenticate: Bearer` as §3 asks.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../HttpError.js";

export interface BearerAuthOptions {
  token: string;
  /** Paths served without a token (load-balancer health checks). Defaults to ["/health"]. */
  openPaths?: string[];
}

export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler {
  const { token, openPaths = ["/health"] } = options;
  // Hashing first gives both sides the same length, which timingSafeEqual requires.
  const expected = createHash("sha256").update(token).digest();
  const challenge = { "WWW-Authenticate": 'Bearer realm="genrm"' };
  return async function bearerAuth(c, next) {
    if (openPaths.includes(c.req.path)) return next();
    const header = c.req.header("authorization");
    if (!header) throw new HttpError(401, "unauthorized", "missing bearer token", { headers: challenge });
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const given = createHash("sha256")
      .update(match?.[1] ?? "")
      .digest();
    if (!match || !timingSafeEqual(given, expected)) {
      throw new HttpError(401, "unauthorized", "invalid bearer token", {
        headers: { "WWW-Authenticate": 'Bearer realm="genrm", error="invalid_token"' },
      });
    }
    return next();
  };
}
