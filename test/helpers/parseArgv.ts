/**
 * Parses a genrm argv with a recording dispatcher: what each command would receive, without
 * running anything. Commander's own output and process exits are silenced and turned into throws.
 */
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main.js";

export interface DispatchedCall {
  command: string;
  options: Record<string, unknown>;
  args: string[];
}

function quiet(cmd: Command): void {
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const sub of cmd.commands) quiet(sub);
}

export async function parseArgv(argv: string[]): Promise<DispatchedCall[]> {
  const calls: DispatchedCall[] = [];
  const program = buildProgram(async (command, options, args = []) => {
    calls.push({ command, options, args });
  });
  quiet(program);
  await program.parseAsync(["node", "genrm", ...argv]);
  return calls;
}
