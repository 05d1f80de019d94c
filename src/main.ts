#!/usr/bin/env bun
// Entry point only: the commands live in cli/index.ts. No top-level await, so
// nothing that imports the command list ever waits on this module.
import { runCli } from "./cli/index.ts";

if (import.meta.main) runCli(process.argv.slice(2)).then((code) => process.exit(code));
