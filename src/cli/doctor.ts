// `bot-bottle doctor`: what each backend needs, what this host has, and the
// fix for what is missing. Exit 0 when the default backend (or --backend) is usable.
import { defineCommand } from "citty";
import { loadConfig } from "../config/config.ts";
import { doctorExitCode, evaluate, formatReport, type Backend } from "../doctor/checks.ts";
import { probeHost } from "../doctor/probe.ts";
import { jsonArg, printJson } from "./common.ts";

export default defineCommand({
  meta: { name: "doctor", description: "Check this host for the docker and smolmachines backends" },
  args: {
    ...jsonArg,
    backend: { type: "enum", options: ["docker", "smolmachines"], description: "Judge this backend instead of the default one" },
  },
  async run({ args }) {
    const report = evaluate(await probeHost(loadConfig()));
    if (args.json) printJson(report);
    else process.stdout.write(formatReport(report));
    process.exitCode = doctorExitCode(report, args.backend as Backend | undefined);
  },
});
