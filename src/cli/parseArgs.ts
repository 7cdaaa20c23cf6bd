/**
 * Flag value parsers. Commander passes strings; nothing is cast to a number implicitly, and a bad
 * value is a usage error naming the flag's expectation.
 */
import { InvalidArgumentError } from "commander";

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

/** Repeatable flag: `--base-url a --base-url b` or `--base-url a,b`. */
export function listArg(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...items];
}
