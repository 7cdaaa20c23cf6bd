/**
 * Reads and validates a JSON request body against a route's zod schema. Malformed JSON and
 * schema violations are 400s that name the field at fault, so a client sees which of its 512
 * queries was the bad one.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { HttpError } from "./HttpError.js";

export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      "invalid_json",
      `request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = fieldPath(issue.path);
  throw new HttpError(400, "invalid_request", field ? `${field}: ${issue.message}` : issue.message, {
    ...(field ? { field } : {}),
  });
}

/** `["candidates", 2]` → `candidates[2]`; `["budget", "max_tokens"]` → `budget.max_tokens`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `${out ? "." : ""}${String(p)}`;
  return out;
}
