/**
 * Flag value parsers and the pieces every command table uses. Commander passes strings; nothing is
 * cast to a number implicitly, and a bad value is a usage error naming the flag's expectation.
 */
import { InvalidArgumentError, Option } from "commander";

export function intArg(min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got ${n}`);
    return n;
  };
}

export function floatArg(min = -Infinity, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n))
      throw new InvalidArgumentError(`expected a number, got "${value}"`);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got ${n}`);
    return n;
  };
}

/** A JSON object given on the command line (e.g. `--extra-body '{"top_k": 20}'`). */
export function jsonObjectArg(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`expected a JSON object, got ${value} (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`expected a JSON object, got ${value}`);
  }
  return parsed as Record<string, unknown>;
}

/** Repeatable flag: `--base-url a --base-url b` or `--base-url a,b`. */
export function listArg(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...items];
}

/**
 * Help text with a default shown as commander shows the defaults it sets, for a default that the
 * library applies later (or that is not a value, like "real core count").
 */
export function withDefault(text: string, value: string | number): string {
  return `${text} (default: ${value})`;
}

/** The entries that are not undefined: the flags given. */
export function givenOnly<T extends object>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** --progress, for every command that shows progress. */
export function progressOption(): Option {
  return new Option(
    "--progress <mode>",
    withDefault("progress display", "bar on a terminal, else plain"),
  ).choices(["bar", "plain", "silent"]);
}
