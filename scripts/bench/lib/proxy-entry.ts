// Subprocess entry for benchmarks: the `bundle proxy` CLI command exactly as
// `bot-bottle bundle proxy --config FILE` runs it, without depending on how
// the command tree is wired.
import { runCommand } from "citty";
import command from "../../../src/cli/bundle-proxy.ts";

await runCommand(command, { rawArgs: process.argv.slice(2) });
process.exit(0);
