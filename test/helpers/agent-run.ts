// The steps every real-agent e2e test shares: run the task with the agent's
// processes watched, resume the kept bottle detached to look inside it, and
// prove the real key is nowhere the agent can reach.
import { afterAll, expect } from "bun:test";
import type { RunResult } from "../../src/util/run.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";
import { containerEnv, testBottle, type TestBottle } from "./bottle.ts";
import { describeRun } from "./cli.ts";
import { docker, dockerExec } from "./docker.ts";
import { canWatchProcesses, watchContainerProcesses, type ProcSnapshot } from "./procs.ts";
import { grepFiles, grepProcesses } from "./scan.ts";
import { refusedEgress } from "./egress.ts";
import { agentManifest, agentWithSkill, type AgentManifestOptions } from "./agents.ts";
import { REAL_KEY_VAR } from "./claude.ts";

export const TASK = "create hello.txt containing hi";
export const WORKDIR = "/home/node/work";

/** After the block's tests: remove the bottle (only what it made) and stop the fake model API. */
export function cleanUpAfterAll(get: () => { bottle?: TestBottle; fake?: { close(): Promise<void> } }): void {
  afterAll(async () => {
    const { bottle, fake } = get();
    await bottle?.cleanup();
    await fake?.close();
  }, 120_000);
}

/** `bot-bottle run` of the task on a kept bottle, with the processes seen in the agent meanwhile (host-side, root only). */
export async function runWatched(bottle: TestBottle, task = TASK): Promise<{ result: RunResult; during: ProcSnapshot[] }> {
  const watch = canWatchProcesses() ? watchContainerProcesses(bottle.containers.agent) : undefined;
  // The first run builds the agent and bundle images: minutes on a cold CI machine.
  const result = await bottle.cli(["run", "e2e", "--name", bottle.id, "--keep", "--yes", "-p", task], 900_000);
  return { result, during: (await watch?.stop()) ?? [] };
}

/** The bottle's egress audit log (empty when it cannot be read). */
export async function egressLog(bottle: TestBottle): Promise<AuditRecord[]> {
  const logs = await bottle.cli(["logs", bottle.id, "--egress", "--json"]);
  return logs.code === 0 ? (JSON.parse(logs.stdout) as AuditRecord[]) : [];
}

/** Resume the stopped bottle detached and read the placeholder the agent holds in `keyVar`. */
export async function resumeForPlaceholder(bottle: TestBottle, keyVar: string): Promise<string> {
  const resumed = await bottle.cli(["resume", bottle.id, "--detach"], 120_000);
  if (resumed.code !== 0) console.log(describeRun(resumed));
  return (await containerEnv(bottle.containers.agent))[keyVar] ?? "";
}

/** hello.txt, which the task asked for, holds "hi". */
export async function expectHelloFile(bottle: TestBottle): Promise<void> {
  const res = await bottle.cli(["exec", bottle.id, "--", "cat", "hello.txt"]);
  expect(res.code, describeRun(res)).toBe(0);
  expect(res.stdout).toBe("hi\n");
}

/** What the secret scans need: the agent's container, the key and its placeholder, and a marker planted in README.md. */
export interface SecretScan {
  agent: string;
  real: string;
  placeholder: string;
  keyVar: string;
  marker: string;
}

/** The real key is in neither the container's env nor the env an exec'd shell gets; the placeholder is. */
export async function expectKeyNotInEnv(s: SecretScan): Promise<void> {
  const env = await containerEnv(s.agent);
  expect(Object.values(env).some((v) => v.includes(s.real))).toBe(false);
  const execEnv = await dockerExec(s.agent, ["env"], { user: "node" });
  expect(execEnv.stdout).toContain(s.placeholder);
  expect(execEnv.stdout).not.toContain(s.real);
}

/** grep -r / finds the planted marker (so its silence proves something) and never the real key, as each user. */
export async function expectKeyNotInFiles(s: SecretScan, users: string[]): Promise<void> {
  expect(await grepFiles(s.agent, s.marker, "node")).toContain(`${WORKDIR}/README.md`);
  for (const user of users) expect(await grepFiles(s.agent, s.real, user)).toBe("");
}

/** Every process's env and argv hold the placeholder and never the real key, nor does `docker top`. */
export async function expectKeyNotInProcesses(s: SecretScan): Promise<void> {
  expect(await grepProcesses(s.agent, s.placeholder)).toContain(`${s.keyVar}=${s.placeholder}`);
  expect(await grepProcesses(s.agent, s.real)).toBe("");
  expect(await docker(["top", s.agent, "-eo", "pid,args"])).not.toContain(s.real);
}

/** A bottle for `provider` whose coder agent carries a skill, the marker planted in README.md, the real key in the host env. */
export function skilledAgentBottle(o: { prefix: string; provider: AgentManifestOptions["provider"]; upstream: string; realKey: string; marker: string; skill: ReturnType<typeof agentWithSkill> }): TestBottle {
  return testBottle({
    prefix: o.prefix,
    manifest: agentManifest({ bottle: "e2e", provider: o.provider, upstream: o.upstream }),
    agents: { coder: o.skill.agent },
    files: { "README.md": `${o.marker}\n`, ...o.skill.files },
    env: { [REAL_KEY_VAR]: o.realKey },
  });
}

/** runWatched, then log what the fake got and what egress was refused, and (after a good run) resume for the placeholder. */
export async function runAndInspect(label: string, bottle: TestBottle, fake: { requests: { method: string; path: string }[] }, keyVar: string) {
  const { result, during } = await runWatched(bottle);
  console.log(`${label}: the fake API got ${fake.requests.map((r) => `${r.method} ${r.path}`).join(", ") || "nothing"}`);
  const egress = await egressLog(bottle);
  console.log(`${label}: refused egress (${refusedEgress(egress).length}): ${refusedEgress(egress).join("; ") || "none"}`);
  const placeholder = result.code === 0 ? await resumeForPlaceholder(bottle, keyVar) : "";
  return { result, during, egress, placeholder };
}
