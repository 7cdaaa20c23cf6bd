/**
 * Rules a judge template must satisfy beyond its zod shape. Every issue is returned (as
 * `field: message`), not just the first, so a user fixes a template file in one pass.
 */
import { type JudgeTemplate, templatePlaceholders } from "../types.js";
import { placeholdersOf } from "./formatTemplateString.js";

export function validateTemplate(template: JudgeTemplate): string[] {
  const issues: string[] = [];
  for (const field of Object.keys(templatePlaceholders) as (keyof typeof templatePlaceholders)[]) {
    const text = template[field];
    if (text === undefined) continue;
    const allowed: readonly string[] = templatePlaceholders[field];
    for (const name of placeholdersOf(text)) {
      if (!allowed.includes(name)) {
        const list = allowed.length > 0 ? allowed.map((a) => `{${a}}`).join(", ") : "none";
        issues.push(
          `${field}: unknown placeholder {${name}} (allowed: ${list}; write {{ and }} for literal braces)`,
        );
      }
    }
  }

  const user = placeholdersOf(template.user);
  for (const name of ["answer_a", "answer_b"]) {
    if (!user.includes(name)) issues.push(`user: must contain {${name}}`);
  }
  if (template.userMultiTurn !== undefined) {
    const multi = placeholdersOf(template.userMultiTurn);
    for (const side of ["a", "b"]) {
      if (!multi.includes(`answer_${side}`) && !multi.includes(`conversation_${side}`)) {
        issues.push(`userMultiTurn: must contain {answer_${side}} or {conversation_${side}}`);
      }
    }
  }

  if (template.protocol === "rationalizer") {
    if (template.hint === undefined) issues.push("hint: required for protocol rationalizer");
    else if (!placeholdersOf(template.hint).includes("winner")) issues.push("hint: must contain {winner}");
  } else if (template.hint !== undefined) {
    issues.push(`hint: only protocol rationalizer uses a hint (protocol is ${template.protocol})`);
  }
  return issues;
}
