/**
 * Escaping for the report: every string that reaches the HTML (model paths, method names, config
 * values) comes from results.json, which a user may edit or a future runner may fill with anything.
 */

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Safe in text and in quoted attribute values alike, so callers need not know where a string lands. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c]!);
}

/**
 * JSON for a `<script type="application/json">` block. Every `<` becomes `\u003c`, so neither
 * `</script>` nor `<!--` inside a string can end the block; JSON.parse reads the escape back as `<`.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}
