import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPairs } from "../../../src/data/readPairs.js";
import { loadRunPairs } from "../../../src/report/runReport/loadRunPairs.js";
import { evalRun, judgment } from "./runFixtures.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genrm-report-pairs-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("loadRunPairs", () => {
  it("reads the pairs from the data config.json records, skipping what eval skipped", async () => {
    const file = path.join(dir, "prefs.jsonl");
    const rows = [
      { prompt: "q1", chosen: "good answer", rejected: "bad" },
      { prompt: "q2", chosen: "", rejected: "bad" }, // invalid: eval --skip-invalid skipped it
      { prompt: "q3", chosen: "fine", rejected: "worse answer" },
    ];
    fs.writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const { pairs } = await loadPairs(file, { skipInvalid: true });
    const run = evalRun("/r", [judgment(pairs[0]!.id, "A"), judgment("gone", "A")], pairs);
    run.config = { data: { path: file, format: "trl", pairs: 2, limit: null } };
    const loaded = await loadRunPairs(run);
    expect([...loaded.pairs!.keys()]).toEqual(pairs.map((p) => p.id));
    expect(loaded.note).toBe(`1 of 2 judged pairs are no longer in ${file} (the data changed since the run)`);

    run.config = { data: { path: path.join(dir, "moved.jsonl"), format: "trl", pairs: 2, limit: null } };
    const moved = await loadRunPairs(run);
    expect(moved.pairs).toBeNull();
    expect(moved.note).toMatch(/^could not read the run's data again \(.*moved\.jsonl/);

    run.config = { data: { path: file, format: "map", pairs: 2, limit: null } };
    expect((await loadRunPairs(run)).note).toMatch(/--map, which config\.json does not record/);
    run.config = null;
    expect((await loadRunPairs(run)).note).toMatch(/records no data source/);
  });
});
