/**
 * Generic field mapping for formats no adapter knows:
 *   parseFieldMap("prompt=input,a=output_1,b=output_2,label=preference,labelA=1,labelB=2,id=idx,subset=cat")
 * Values are dot paths into the record (`a=responses.0`, `prompt=conversation.turns`). `prompt` may
 * hold a string or a message list. `labelA` / `labelB` / `labelTie` list the values of the `label`
 * field that mean each outcome, several separated by `|`; they default to A, B and tie. Without a
 * `label` key every pair gets "A" (field `a` holds the preferred response). `system` adds a system
 * message before the prompt.
 */
import { ConfigError } from "../../errors.js";
import { buildPair } from "../buildPair.js";
import { invalidRecord } from "../InvalidRecordError.js";
import type { Label, PairAdapter, PreferencePair, RecordLocation } from "../types.js";
import {
  getPath,
  invalidLabel,
  labelText,
  optionalId,
  optionalString,
  requireFields,
  requireResponse,
  requireValue,
} from "./fieldAccess.js";
import { toPrompt } from "./toMessages.js";

export interface FieldMap {
  prompt: string;
  a: string;
  b: string;
  system?: string;
  label?: string;
  labelA: string[];
  labelB: string[];
  labelTie: string[];
  id?: string;
  subset?: string;
}

const keys = ["prompt", "a", "b", "system", "label", "labelA", "labelB", "labelTie", "id", "subset"] as const;
type Key = (typeof keys)[number];

/** Parses a `key=path,key=path` mapping; every problem is reported at once in one ConfigError. */
export function parseFieldMap(spec: string): FieldMap {
  const issues: string[] = [];
  const given = new Map<Key, string>();
  for (const part of spec.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (!(keys as readonly string[]).includes(key)) {
      issues.push(`map.${key}: unknown key; expected one of ${keys.join(", ")}`);
    } else if (given.has(key as Key)) {
      issues.push(`map.${key}: given twice`);
    } else if (value === "") {
      issues.push(`map.${key}: needs a value, as in ${key}=<field>`);
    } else {
      given.set(key as Key, value);
    }
  }
  for (const key of ["prompt", "a", "b"] as const) {
    if (!given.has(key) && !issues.some((i) => i.startsWith(`map.${key}:`))) {
      issues.push(
        `map.${key}: required (the field holding the ${key === "prompt" ? "prompt" : `response ${key.toUpperCase()}`})`,
      );
    }
  }
  if (!given.has("label")) {
    for (const key of ["labelA", "labelB", "labelTie"] as const) {
      if (given.has(key)) issues.push(`map.${key}: only meaningful with label=<field>`);
    }
  }
  if (issues.length > 0)
    throw new ConfigError(issues, {
      hint: "example: prompt=input,a=output_1,b=output_2,label=preference,labelA=1,labelB=2",
    });
  const values = (key: "labelA" | "labelB" | "labelTie", fallback: string) =>
    (given.get(key) ?? fallback).split("|");
  return {
    prompt: given.get("prompt")!,
    a: given.get("a")!,
    b: given.get("b")!,
    system: given.get("system"),
    label: given.get("label"),
    labelA: values("labelA", "A"),
    labelB: values("labelB", "B"),
    labelTie: values("labelTie", "tie"),
    id: given.get("id"),
    subset: given.get("subset"),
  };
}

export function fieldMapAdapter(map: FieldMap, options: { source?: string } = {}): PairAdapter {
  const { source = "map" } = options;
  const toLabel = (row: unknown, at: RecordLocation): Label => {
    if (!map.label) return "A";
    const raw = requireValue(row, map.label, at, "a label value");
    const text = labelText(raw);
    if (text !== undefined && map.labelA.includes(text)) return "A";
    if (text !== undefined && map.labelB.includes(text)) return "B";
    if (text !== undefined && map.labelTie.includes(text)) return "tie";
    const expected = `${map.labelA.join("|")} (A), ${map.labelB.join("|")} (B) or ${map.labelTie.join("|")} (tie)`;
    throw invalidLabel(map.label, at, expected, raw);
  };
  return {
    name: "map",
    description: "generic field mapping given by --map",
    detect: (r) => [map.prompt, map.a, map.b].every((p) => getPath(r, p) !== undefined),
    toPairs(record: unknown, at: RecordLocation): PreferencePair[] {
      const row = requireFields(record, at);
      const prompt = toPrompt(requireValue(row, map.prompt, at, "a string or message list"), map.prompt, at);
      const system = map.system ? optionalString(row, map.system, at) : undefined;
      return [
        buildPair({
          source,
          sourceId: map.id ? optionalId(row, map.id, at) : undefined,
          subset: map.subset ? subsetOf(row, map.subset, at) : undefined,
          prompt: system ? [{ role: "system", content: system }, ...prompt] : prompt,
          responseA: requireResponse(row, map.a, at),
          responseB: requireResponse(row, map.b, at),
          label: toLabel(row, at),
        }),
      ];
    },
  };
}

/** A subset name: text or a number, never an object that String() would make "[object Object]". */
function subsetOf(row: unknown, field: string, at: RecordLocation): string {
  const value = requireValue(row, field, at, "a subset name");
  if (typeof value === "string" || typeof value === "number") return String(value);
  throw invalidRecord("wrong-type", "field has the wrong type", at, {
    field,
    expected: "a string or number",
    got: value,
  });
}
