/**
 * The Best-of-N loaders read through the data layer's readers, so bad input there is an InputError
 * naming file, line and field too, never a TypeError from a field that is missing or of the wrong type.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadBonItems } from "../../../src/bon/index.js";
import { InputError } from "../../../src/errors.js";
import { withTempDir } from "./paths.js";

async function failure(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe("Best-of-N loaders on malformed files", () => {
  it("mt-bench: a question without turns names the line and field", async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        path.join(dir, "question.jsonl"),
        '{"question_id": 81, "category": "writing", "turns": ["hello"]}\n{"question_id": 82, "category": "math"}\n',
      );
      const error = await failure(loadBonItems(dir, { format: "mt-bench" }));
      expect(error.location).toMatchObject({
        file: path.join(dir, "question.jsonl"),
        line: 2,
        field: "turns.0",
      });
    });
  });

  it("llmfao: an output that is not text names the line and field", async () => {
    await withTempDir(async (dir) => {
      await writeFile(
        path.join(dir, "prompts.jsonl"),
        '{"id": 1, "text": "write a haiku", "slug": "haiku"}\n',
      );
      await writeFile(
        path.join(dir, "results.jsonl"),
        '{"prompt": 1, "model": 1, "result": "an old pond", "name": "m1"}\n{"prompt": 1, "model": 2, "result": 7, "name": "m2"}\n',
      );
      await writeFile(path.join(dir, "crowd-comparisons.csv"), "prompt,model_x,model_y,winner\n1,1,2,left\n");
      const error = await failure(loadBonItems(dir, { format: "llmfao" }));
      expect(error.location).toMatchObject({
        file: path.join(dir, "results.jsonl"),
        line: 2,
        field: "result",
      });
    });
  });

  it("xstest: a completions file without a type column names the line and field", async () => {
    await withTempDir(async (dir) => {
      await mkdir(path.join(dir, "model_completions"));
      const file = path.join(dir, "model_completions", "xstest_v2_completions_m1.csv");
      await writeFile(file, "id,prompt,completion,final_label\nv2-1,q,a,1_full_compliance\n");
      const error = await failure(loadBonItems(dir, { format: "xstest" }));
      expect(error.location).toMatchObject({ file, line: 2, field: "type" });
    });
  });
});
