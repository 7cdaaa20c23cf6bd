/**
 * Embedded SQLite store for judge samples and verdict probabilities (better-sqlite3, WAL).
 *
 * Every sample is written the moment it is produced, in its own implicit transaction, so a
 * process killed at any point loses at most the samples still being generated. The primary key is
 * the full identity of a sample (model, template hash, pair, order, index, seed, sampling settings):
 * a rerun with the same settings reads the sample instead of generating it, and a rerun with any
 * setting changed cannot be served stale results.
 *
 * The run ledger lists the runs that used the store (`genrm eval` records each run directory, its
 * config and its summary; `genrm store` shows them). A rerun into the same directory updates its row.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { DisposedError, GenrmError } from "../errors.js";
import type {
  JudgeSample,
  SampleCache,
  SampleKey,
  StoredVerdictProbability,
  VerdictProbabilityCache,
  VerdictProbabilityKey,
} from "../judge/types.js";

// The keys and records are the judge's (it defines the caches this store implements), under the
// names the store has always exported.
export type { SampleKey };
export type ProbabilityKey = VerdictProbabilityKey;
export type StoredProbability = StoredVerdictProbability;

export interface StoreStats {
  samples: number;
  probabilities: number;
  runs: number;
}

export interface RunRecord {
  runId: string;
  command: string;
  startedAt: string;
  finishedAt?: string;
  /** "interrupted": stopped by a signal, to be resumed by the same command. */
  status: "running" | "finished" | "interrupted" | "failed";
  config: unknown;
  summary?: unknown;
}

/**
 * 2: samples keep their token ids (`tokens`, a JSON array; NULL where the engine does not report
 * them). Version 1 stores are migrated in place; their samples have no token ids, so an engine that
 * reports tokens regenerates them instead of serving them (see drawJudgeSamples): the embedded
 * engine of that time could sample a token from another sequence's logits when pairs were judged
 * concurrently (see engine/llamacpp/sequenceOrderBatching.ts).
 */
const SCHEMA_VERSION = 3;
// 3: samples keep the hash of the prompt they answered (`prompt_hash`, judge/promptHash.ts; NULL for
// samples stored before it), so a sample can be traced to its exact prompt. Older stores gain the
// column in place.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  model_id TEXT NOT NULL,
  template_hash TEXT NOT NULL,
  pair_id TEXT NOT NULL,
  ord TEXT NOT NULL,
  idx INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  sampling_key TEXT NOT NULL,
  text TEXT NOT NULL,
  verdict TEXT NOT NULL,
  parse_error TEXT,
  completion_tokens INTEGER NOT NULL,
  stop_reason TEXT NOT NULL,
  created_at TEXT NOT NULL,
  tokens TEXT,
  prompt_hash TEXT,
  PRIMARY KEY (model_id, template_hash, pair_id, ord, idx, seed, sampling_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS probabilities (
  model_id TEXT NOT NULL,
  template_hash TEXT NOT NULL,
  pair_id TEXT NOT NULL,
  ord TEXT NOT NULL,
  logprob_a REAL NOT NULL,
  logprob_b REAL NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (model_id, template_hash, pair_id, ord)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  command TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  config TEXT NOT NULL,
  summary TEXT
);
`;

interface SampleRow {
  text: string;
  tokens: string | null;
  verdict: string;
  parse_error: string | null;
  completion_tokens: number;
  stop_reason: string;
}

export class SampleStore {
  readonly path: string;
  #db: Database.Database | null;
  #getSample: Database.Statement;
  #putSample: Database.Statement;
  #replaceSample: Database.Statement;
  #getProb: Database.Statement;
  #putProb: Database.Statement;

  private constructor(file: string, db: Database.Database) {
    this.path = file;
    this.#db = db;
    this.#getSample = db.prepare(
      `SELECT text, tokens, verdict, parse_error, completion_tokens, stop_reason FROM samples
       WHERE model_id = ? AND template_hash = ? AND pair_id = ? AND ord = ? AND idx = ? AND seed = ? AND sampling_key = ?`,
    );
    // INSERT OR IGNORE: two workers racing on the same key keep the first sample; a sample is
    // never duplicated or overwritten.
    const insert = `INTO samples (model_id, template_hash, pair_id, ord, idx, seed, sampling_key,
         text, verdict, parse_error, completion_tokens, stop_reason, created_at, tokens, prompt_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    this.#putSample = db.prepare(`INSERT OR IGNORE ${insert}`);
    this.#replaceSample = db.prepare(`INSERT OR REPLACE ${insert}`);
    this.#getProb = db.prepare(
      `SELECT logprob_a, logprob_b, prompt_tokens FROM probabilities
       WHERE model_id = ? AND template_hash = ? AND pair_id = ? AND ord = ?`,
    );
    this.#putProb = db.prepare(
      `INSERT OR IGNORE INTO probabilities (model_id, template_hash, pair_id, ord, logprob_a, logprob_b, prompt_tokens, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Opens (creating if needed) the store at `file`. Use ":memory:" for a throwaway store. */
  static open(file: string): SampleStore {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(file);
    } catch (cause) {
      throw new GenrmError("GENRM_CONFIG", `cannot open sample store ${file}`, { cause });
    }
    // WAL + NORMAL survives a killed process (not a power cut) without an fsync per sample.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 10000");
    db.exec(SCHEMA);
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
      | { value: string }
      | undefined;
    if (!version) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
    } else if (Number(version.value) === 1 || Number(version.value) === 2) {
      migrateColumns(db);
    } else if (Number(version.value) !== SCHEMA_VERSION) {
      db.close();
      throw new GenrmError(
        "GENRM_CONFIG",
        `sample store ${file} has schema version ${version.value}; this genrm reads version ${SCHEMA_VERSION}`,
        { hint: "use a new --store path, or the genrm version that wrote it" },
      );
    }
    return new SampleStore(file, db);
  }

  #live(): Database.Database {
    if (!this.#db) throw new DisposedError("SampleStore");
    return this.#db;
  }

  getSample(key: SampleKey): JudgeSample | undefined {
    this.#live();
    const row = this.#getSample.get(
      key.modelId,
      key.templateHash,
      key.pairId,
      key.order,
      key.index,
      key.seed,
      key.samplingKey,
    ) as SampleRow | undefined;
    if (!row) return undefined;
    return {
      order: key.order,
      index: key.index,
      seed: key.seed,
      text: row.text,
      ...(row.tokens !== null ? { tokens: JSON.parse(row.tokens) as number[] } : {}),
      verdict: row.verdict as JudgeSample["verdict"],
      ...(row.parse_error !== null ? { parseError: row.parse_error } : {}),
      completionTokens: row.completion_tokens,
      stopReason: row.stop_reason,
      cached: true,
    };
  }

  /**
   * Stores a sample; an existing one under the same key is kept (two workers racing keep the first),
   * unless `replace`: a stored sample that did not match its tokens is overwritten by its regeneration.
   */
  putSample(
    key: SampleKey,
    sample: JudgeSample,
    options: { replace?: boolean; promptHash?: string } = {},
  ): void {
    this.#live();
    (options.replace ? this.#replaceSample : this.#putSample).run(
      key.modelId,
      key.templateHash,
      key.pairId,
      key.order,
      key.index,
      key.seed,
      key.samplingKey,
      sample.text,
      sample.verdict,
      sample.parseError ?? null,
      sample.completionTokens,
      sample.stopReason,
      new Date().toISOString(),
      sample.tokens ? JSON.stringify(sample.tokens) : null,
      options.promptHash ?? null,
    );
  }

  /** The hash of the prompt a stored sample answered (judge/promptHash.ts), or null when unknown. */
  samplePromptHash(key: SampleKey): string | null | undefined {
    const row = this.#live()
      .prepare(
        `SELECT prompt_hash FROM samples WHERE model_id = ? AND template_hash = ? AND pair_id = ? AND ord = ? AND idx = ? AND seed = ? AND sampling_key = ?`,
      )
      .get(key.modelId, key.templateHash, key.pairId, key.order, key.index, key.seed, key.samplingKey) as
      | { prompt_hash: string | null }
      | undefined;
    return row === undefined ? undefined : row.prompt_hash;
  }

  getProbability(key: ProbabilityKey): StoredProbability | undefined {
    this.#live();
    const row = this.#getProb.get(key.modelId, key.templateHash, key.pairId, key.order) as
      | { logprob_a: number; logprob_b: number; prompt_tokens: number }
      | undefined;
    if (!row) return undefined;
    return { logprobA: row.logprob_a, logprobB: row.logprob_b, promptTokens: row.prompt_tokens };
  }

  putProbability(key: ProbabilityKey, value: StoredProbability): void {
    this.#live();
    this.#putProb.run(
      key.modelId,
      key.templateHash,
      key.pairId,
      key.order,
      value.logprobA,
      value.logprobB,
      value.promptTokens,
      new Date().toISOString(),
    );
  }

  /** This store as a judge's sample cache (`JudgeOptions.cache`). */
  sampleCache(): SampleCache {
    return {
      get: (key) => this.getSample(key),
      put: (key, sample, options) => this.putSample(key, sample, options),
    };
  }

  /** This store as a judge's verdict-probability cache (`JudgeOptions.probabilityCache`). */
  probabilityCache(): VerdictProbabilityCache {
    return { get: (key) => this.getProbability(key), put: (key, value) => this.putProbability(key, value) };
  }

  /** Number of stored samples matching a partial key; used by tests and `genrm store stats`. */
  countSamples(filter: Partial<Pick<SampleKey, "modelId" | "templateHash" | "pairId">> = {}): number {
    const db = this.#live();
    const where: string[] = [];
    const args: string[] = [];
    if (filter.modelId) {
      where.push("model_id = ?");
      args.push(filter.modelId);
    }
    if (filter.templateHash) {
      where.push("template_hash = ?");
      args.push(filter.templateHash);
    }
    if (filter.pairId) {
      where.push("pair_id = ?");
      args.push(filter.pairId);
    }
    const sql = `SELECT COUNT(*) AS n FROM samples${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`;
    return (db.prepare(sql).get(...args) as { n: number }).n;
  }

  stats(): StoreStats {
    const db = this.#live();
    const count = (table: string) =>
      (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { samples: count("samples"), probabilities: count("probabilities"), runs: count("runs") };
  }

  recordRunStart(run: Omit<RunRecord, "status" | "finishedAt" | "summary">): void {
    this.#live()
      .prepare(
        `INSERT INTO runs (run_id, command, started_at, status, config) VALUES (?, ?, ?, 'running', ?)
         ON CONFLICT(run_id) DO UPDATE SET status = 'running', finished_at = NULL, summary = NULL, config = excluded.config`,
      )
      .run(run.runId, run.command, run.startedAt, JSON.stringify(run.config));
  }

  recordRunEnd(runId: string, status: "finished" | "interrupted" | "failed", summary?: unknown): void {
    this.#live()
      .prepare("UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE run_id = ?")
      .run(status, new Date().toISOString(), summary === undefined ? null : JSON.stringify(summary), runId);
  }

  listRuns(): RunRecord[] {
    const rows = this.#live().prepare("SELECT * FROM runs ORDER BY started_at").all() as {
      run_id: string;
      command: string;
      started_at: string;
      finished_at: string | null;
      status: RunRecord["status"];
      config: string;
      summary: string | null;
    }[];
    return rows.map((r) => ({
      runId: r.run_id,
      command: r.command,
      startedAt: r.started_at,
      ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
      status: r.status,
      config: JSON.parse(r.config),
      ...(r.summary ? { summary: JSON.parse(r.summary) } : {}),
    }));
  }

  close(): void {
    if (!this.#db) return;
    this.#db.close();
    this.#db = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Versions 1 and 2 → 3: adds the token-id and prompt-hash columns; existing samples keep NULL (see SCHEMA_VERSION). */
function migrateColumns(db: Database.Database): void {
  db.transaction(() => {
    const columns = db.prepare("PRAGMA table_info(samples)").all() as { name: string }[];
    if (!columns.some((c) => c.name === "tokens")) db.exec("ALTER TABLE samples ADD COLUMN tokens TEXT");
    if (!columns.some((c) => c.name === "prompt_hash"))
      db.exec("ALTER TABLE samples ADD COLUMN prompt_hash TEXT");
    db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION));
  })();
}
