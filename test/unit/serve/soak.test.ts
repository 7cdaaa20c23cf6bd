/**
 * The soak's short form (soak.ts; `npm run soak:serve` runs the full 5,000 requests at 64 clients):
 * a mix of valid, malformed, oversized and aborted requests against the server in its own process,
 * then SIGTERM with requests in flight.
 */
import { describe, expect, it } from "vitest";
import { runSoak } from "./soak.js";

describe("soak (short form)", () => {
  it("600 requests at 32 clients: every valid one answered, nothing unplanned, nothing left open, exit 0", async () => {
    const report = await runSoak({ requests: 600, clients: 32, seed: 7 });
    expect(report.unplanned).toEqual([]);
    expect(report.validAnswered).toBe(report.valid);
    expect(report.outcomes.malformed).toEqual({ 400: report.sent.malformed });
    expect(report.outcomes.oversized_body).toEqual({ 413: report.sent.oversized_body });
    expect(report.afterLoad).toEqual({ inFlight: 0, groupsOpen: 0, membersWaiting: 0 });
    expect(report.shutdown).toMatchObject({ exitCode: 0, answered: 10, refused: 4 });
    // Live heap after a full collection: a leak of every request's body would add megabytes.
    expect(report.heapMiB!.growth).toBeLessThan(8);
  }, 60_000);
});
