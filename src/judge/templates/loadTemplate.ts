/**
 * Resolves a template by built-in id or loads a user's JSON template file. The file is the
 * template's written form (`judgeTemplateSchema`); every problem is reported at once.
 */
import { readFile } from "node:fs/promises";
import { ConfigError, NotFoundError } from "../../errors.js";
import { type JudgeTemplate, judgeTemplateSchema } from "../types.js";
import { builtinTemplates } from "./builtinTemplates.js";
import { validateTemplate } from "./validateTemplate.js";
import { worldTemplates } from "./worldTemplates.js";

/** Every template a bare id resolves to: the general ones and the mini world's. */
export const knownTemplates: readonly JudgeTemplate[] = [
  ...builtinTemplates,
  ...Object.values(worldTemplates),
];

/** A built-in template id ("cot-pair-v2@1", "world-cot@1") or a path to a JSON template file. */
export async function loadTemplate(pathOrId: string): Promise<JudgeTemplate> {
  const builtin = knownTemplates.find((t) => t.id === pathOrId);
  if (builtin) return builtin;

  let text: string;
  try {
    text = await readFile(pathOrId, "utf8");
  } catch (cause) {
    throw new NotFoundError(`no built-in judge template "${pathOrId}" and no such file`, {
      cause,
      hint: `use one of ${knownTemplates.map((t) => t.id).join(", ")} or a path to a JSON template`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError([`${pathOrId}: not valid JSON (${(cause as Error).message})`], { cause });
  }
  return parseTemplate(json, pathOrId);
}

/** Validates a template's written form; `source` names it in the issues. */
export function parseTemplate(json: unknown, source = "template"): JudgeTemplate {
  const parsed = judgeTemplateSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${source}: ${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  const issues = validateTemplate(parsed.data);
  if (issues.length > 0) throw new ConfigError(issues.map((issue) => `${source}: ${issue}`));
  return parsed.data;
}
