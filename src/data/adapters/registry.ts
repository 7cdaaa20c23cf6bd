/**
 * Every built-in adapter, by name. Order matters for `format: "auto"`: the first adapter whose
 * `detect` accepts a record wins, so specific formats come before the generic TRL shape that
 * matches any `{chosen, rejected}` row.
 */
import { ConfigError } from "../../errors.js";
import type { PairAdapter } from "../types.js";
import { autoJ } from "./autoJ.js";
import { genrm } from "./genrm.js";
import { hhh } from "./hhh.js";
import { hhRlhf } from "./hhRlhf.js";
import { judgebench } from "./judgebench.js";
import { llmbar } from "./llmbar.js";
import { llmfao } from "./llmfao.js";
import { pandalm } from "./pandalm.js";
import { rewardbench } from "./rewardbench.js";
import { rewardbench2 } from "./rewardbench2.js";
import { rmBench } from "./rmBench.js";
import { trl } from "./trl.js";
import { ultrafeedback } from "./ultrafeedback.js";
import { xstest } from "./xstest.js";

export const adapters: readonly PairAdapter[] = [
  genrm,
  judgebench,
  llmfao,
  xstest,
  hhh,
  pandalm,
  autoJ,
  llmbar,
  rewardbench2,
  rmBench,
  ultrafeedback,
  rewardbench,
  hhRlhf,
  trl,
];

export function listAdapters(): Array<{ name: string; description: string }> {
  return adapters.map(({ name, description }) => ({ name, description }));
}

export function getAdapter(name: string): PairAdapter {
  const adapter = adapters.find((a) => a.name === name);
  if (!adapter) {
    throw new ConfigError(
      [`format: unknown format "${name}"; expected auto or one of ${adapters.map((a) => a.name).join(", ")}`],
      {
        hint: "for another layout, describe its fields with a map such as prompt=input,a=output_1,b=output_2",
      },
    );
  }
  return adapter;
}

/** The first adapter that recognises the record, or undefined. */
export function detectAdapter(record: unknown): PairAdapter | undefined {
  return adapters.find((a) => a.detect(record));
}
