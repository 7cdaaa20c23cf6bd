/**
 * `{name}` placeholder substitution with Python `str.format` escaping (`{{` → `{`, `}}` → `}`), so
 * FastChat-style templates can be pasted in unchanged. A brace that is not part of `{identifier}`
 * or a doubled brace is kept literally rather than rejected, because judge prompts quote code.
 */

const tokenPattern = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Placeholder names in `text`, in order of first appearance. */
export function placeholdersOf(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(tokenPattern)) {
    if (match[1] !== undefined) names.add(match[1]);
  }
  return [...names];
}

/** Replaces every placeholder; one without a value is an internal error (templates are validated first). */
export function formatTemplateString(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(tokenPattern, (token, name: string | undefined) => {
    if (name === undefined) return token[0]!;
    const value = values[name];
    if (value === undefined) throw new Error(`template placeholder {${name}} has no value`);
    return value;
  });
}
