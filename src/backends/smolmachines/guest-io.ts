// Provisioning through smolvm: `machine cp` moves single files and `machine
// exec` gives no stdin to a non-interactive command, so a root script or a
// tar stream is first written to a host temp file, copied in, then run or
// unpacked by one exec that also deletes it.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentIO } from "../shared/provision.ts";
import type { BottlePlan } from "../../plan/types.ts";
import { BottleError } from "../../util/errors.ts";
import { run } from "../../util/run.ts";
import { execOptions, guestEnv, machineName } from "./guest.ts";
import type { Smolvm } from "./smolvm.ts";

const GUEST_TMP = "/tmp";

/** Pure: run a copied script as root and remove it, keeping its exit code. */
export function runAndRemoveArgv(guestFile: string): string[] {
  return ["sh", "-c", 'sh "$1"; rc=$?; rm -f "$1"; exit $rc', "sh", guestFile];
}

/** Pure: unpack a copied tarball into dest and remove it. */
export function untarAndRemoveArgv(guestFile: string, dest: string): string[] {
  return ["sh", "-c", 'mkdir -p "$2" && tar -x -f "$1" -C "$2"; rc=$?; rm -f "$1"; exit $rc', "sh", guestFile, dest];
}

/**
 * Pure: run `agentArgv` (already dropped to the agent user) with stdin from a
 * copied file (or nothing) and print its stdout base64-encoded: smolvm's exec
 * relays output as text, and a bundle is bytes. Keeps the command's exit code.
 */
export function collectArgv(guestInput: string | null, agentArgv: string[]): string[] {
  const script =
    'in=$1; shift; out=$(mktemp) || exit 125; if [ -n "$in" ]; then "$@" <"$in" >"$out"; else "$@" </dev/null >"$out"; fi; rc=$?; ' +
    'base64 -w0 <"$out"; rm -f "$out"; [ -n "$in" ] && rm -f "$in"; exit $rc';
  return ["sh", "-c", script, "sh", guestInput ?? "", ...agentArgv];
}

async function tarToFile(tarArgv: string[], out: string): Promise<void> {
  const r = await run(tarArgv, { stdoutFile: out });
  if (r.code !== 0) throw new BottleError("SMOLVM", `preparing a copy failed: ${tarArgv.join(" ")}: ${r.stderr.trim()}`, { hint: "is `tar` installed on the host?" });
}

export function smolvmAgentIO(smolvm: Smolvm, plan: BottlePlan, scratchDir: string): AgentIO {
  const name = machineName(plan.identity);
  const values = guestEnv(plan).values;
  let n = 0;
  const upload = async (hostFile: string, suffix: string): Promise<string> => {
    const guestFile = `${GUEST_TMP}/bot-bottle-${process.pid}-${++n}${suffix}`;
    try {
      await smolvm.copyIn(name, hostFile, guestFile);
    } finally {
      rmSync(hostFile, { force: true });
    }
    return guestFile;
  };
  const rootExec = (argv: string[]) => smolvm.execOk(execOptions(plan, argv, { asAgent: false, workdir: "/" }), values);
  return {
    async rootScript(script) {
      const host = join(scratchDir, `script-${++n}.sh`);
      writeFileSync(host, script, { mode: 0o600 });
      await rootExec(runAndRemoveArgv(await upload(host, ".sh")));
    },
    async untar(tarArgv, dest) {
      const host = join(scratchDir, `copy-${++n}.tar`);
      await tarToFile(tarArgv, host);
      await rootExec(untarAndRemoveArgv(await upload(host, ".tar"), dest));
    },
  };
}
