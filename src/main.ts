#!/usr/bin/env bun
// Entry point only: the commands live in cli/index.ts. No top-level await, so
// nothing that imports the command list ever waits on this module.
// First: citty and consola decide on colour when they load.
import "./cli/color-env.ts";
import { runCli } from "./cli/index.ts";

if (import.meta.main) runCli(process.argv.slice(2)).then((code) => process.exit(code));
