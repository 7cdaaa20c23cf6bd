/** `value` with every object key for which `drop` is true removed, at any depth. */
export function withoutKeys(value: unknown, drop: (key: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKeys(v, drop));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !drop(k))
      .map(([k, v]) => [k, withoutKeys(v, drop)]),
  );
}
