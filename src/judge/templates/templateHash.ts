/**
 * Content hash of a judge template. Results and cached samples are keyed by it, so two templates
 * with the same texts share a hash whatever their ids, and any change to a text changes it.
 */
import { createHash } from "node:crypto";
import type { TemplateHash } from "../../types.js";
import type { JudgeTemplate } from "../types.js";

/** sha256 (first 16 hex) of the template's content as canonical JSON (sorted keys; id excluded). */
export function templateHash(template: JudgeTemplate): TemplateHash {
  const content: Record<string, string> = {};
  const keys = [
    "assistantPrefix",
    "hint",
    "protocol",
    "system",
    "systemMultiTurn",
    "user",
    "userMultiTurn",
  ] as const;
  for (const key of keys) {
    const value = template[key];
    if (value !== undefined) content[key] = value;
  }
  return createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 16) as TemplateHash;
}
