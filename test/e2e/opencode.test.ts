// Real opencode (the native binary from `opencode-ai`) in a docker bottle does
// a task through the bundle, talking to the scripted fake of the Anthropic
// Messages API (test/fakes/anthropic-api.ts) that accepts only the REAL key.
// opencode is a Bun-compiled binary: this also proves its runtime trusts the
// bottle's CA (NODE_EXTRA_CA_CERTS) and goes through HTTPS_PROXY.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import { containerEnv, testBottle, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { docker, dockerExec, networkGateway, requireDocker } from "../helpers/docker.ts";
import { canWatchProcesses, watchContainerProcesses, type ProcSnapshot } from "../helpers/procs.ts";
import { grepFiles, grepProcesses } from "../helpers/scan.ts";
import { refusedEgress } from "../helpers/egress.ts";
import { agentManifest, agentWithSkill } from "../helpers/agents.ts";
import { fakeRealKey, REAL_KEY_VAR } from "../helpers/claude.ts";
import type { RunResult } from "../../src/util/run.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";

const enabled = await requireDocker("e2e: real opencode in a bottle");
const TASK = "create hello.txt containing hi";
const WORKDIR = "/home/node/work";
const MODEL_HOST = "api.anthropic.com";

describe.skipIf(!enabled)("real opencode in a docker bottle", () => {
  const REAL = fakeRealKey();
  const marker = `marker-${crypto.randomUUID()}`;
  const skill = agentWithSkill(`skill-${crypto.randomUUID()}`);
  let fake: FakeAnthropic;
  let bottle: TestBottle;
  let runResult: RunResult;
  let placeholder = "";
  let egress: AuditRecord[] = [];
  let during: ProcSnapshot[] = [];

  beforeAll(async () => {
    fake = startFakeAnthropic({ hostname: await networkGateway("bridge"), apiKey: REAL });
    bottle = testBottle({
      prefix: "e2e-oc",
      manifest: agentManifest({ bottle: "e2e", provider: "opencode", upstream: fake.url }),
      agents: { coder: skill.agent },
      files: { "README.md": `${marker}\n`, ...skill.files },
      env: { [REAL_KEY_VAR]: REAL },
    });
    const watch = canWatchProcesses() ? watchContainerProcesses(bottle.containers.agent) : undefined;
    // The first run builds the opencode and bundle images: minutes on a cold CI machine.
    runResult = await bottle.cli(["run", "e2e", "--name", bottle.id, "--keep", "--yes", "-p", TASK], 900_000);
    during = (await watch?.stop()) ?? [];
    console.log(`e2e opencode: the fake API got ${fake.requests.map((r) => `${r.method} ${r.path}`).join(", ") || "nothing"}`);
    const logs = await bottle.cli(["logs", bottle.id, "--egress", "--json"]);
    egress = logs.code === 0 ? JSON.parse(logs.stdout) : [];
    console.log(`e2e opencode: refused egress (${refusedEgress(egress).length}): ${refusedEgress(egress).join("; ") || "none"}`);
    if (runResult.code === 0) {
      const resumed = await bottle.cli(["resume", bottle.id, "--detach"], 120_000);
      if (resumed.code !== 0) console.log(describeRun(resumed));
      placeholder = (await containerEnv(bottle.containers.agent)).ANTHROPIC_API_KEY ?? "";
    }
  }, 1_000_000);

  afterAll(async () => {
    await bottle?.cleanup();
    await fake?.close();
  }, 120_000);

  test("bot-bottle run exits 0 and opencode finished the task", () => {
    expect(runResult.code, describeRun(runResult)).toBe(0);
    expect(runResult.stdout).toContain("Created hello.txt");
  }, 60_000);

  test("ripgrep comes from the image: opencode has no reason to download it", async () => {
    expect((await dockerExec(bottle.containers.agent, ["sh", "-c", "command -v rg"], { user: "node" })).stdout.trim()).toBe("/usr/bin/rg");
    expect(egress.some((r) => r.host === "github.com" || r.host.endsWith(".githubusercontent.com"))).toBe(false);
  }, 60_000);

  test("the agent's skill landed where opencode reads skills: the model was told of it", () => {
    const description = skill.files["skills/review/SKILL.md"]!.match(/description: (.*)/)![1]!;
    expect(fake.requests.some((r) => r.body.includes(description))).toBe(true);
  });

  test("the file exists in the bottle", async () => {
    const res = await bottle.cli(["exec", bottle.id, "--", "cat", "hello.txt"]);
    expect(res.code, describeRun(res)).toBe(0);
    expect(res.stdout).toBe("hi\n");
  }, 60_000);

  test("the fake saw the real key on every call, the tool loop, and never the placeholder", () => {
    const calls = fake.messageRequests();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const r of fake.requests) {
      expect(r.headers["x-api-key"]).toBe(REAL);
      expect(JSON.stringify(r.headers) + r.body).not.toContain(placeholder);
    }
    const toolResult = calls.some((r) => r.json?.messages?.some((m: any) => Array.isArray(m.content) && m.content.some((b: any) => b.type === "tool_result")));
    expect(toolResult).toBe(true);
    // The agent's prompt reached the model through ~/.config/opencode/AGENTS.md.
    expect(calls.some((r) => JSON.stringify(r.json?.system ?? "").includes("Do exactly the task you are given."))).toBe(true);
  }, 60_000);

  test("the agent holds a placeholder of the key's shape, the bundle the real key", async () => {
    expect(placeholder).toMatch(/^sk-ant-api03-/);
    expect(placeholder.length).toBe(REAL.length);
    expect(placeholder).not.toBe(REAL);
    expect(Object.values(await containerEnv(bottle.containers.bundle))).toContain(REAL);
  }, 60_000);

  test("the real key is in no env, file or process of the agent", async () => {
    const env = await containerEnv(bottle.containers.agent);
    expect(Object.values(env).some((v) => v.includes(REAL))).toBe(false);
    const execEnv = await dockerExec(bottle.containers.agent, ["env"], { user: "node" });
    expect(execEnv.stdout).toContain(placeholder);
    expect(execEnv.stdout).not.toContain(REAL);
    expect(await grepFiles(bottle.containers.agent, marker, "node")).toContain(`${WORKDIR}/README.md`);
    expect(await grepFiles(bottle.containers.agent, REAL, "root")).toBe("");
    expect(await grepProcesses(bottle.containers.agent, placeholder)).toContain(`ANTHROPIC_API_KEY=${placeholder}`);
    expect(await grepProcesses(bottle.containers.agent, REAL)).toBe("");
    expect(await docker(["top", bottle.containers.agent, "-eo", "pid,args"])).not.toContain(REAL);
  }, 240_000);

  test.skipIf(!canWatchProcesses())("while opencode ran, its process held the placeholder and never the real key", () => {
    const agent = during.filter((p) => p.cmdline.includes("opencode"));
    expect(agent.length, `processes seen: ${during.map((p) => p.cmdline.split("\n")[0]).join(", ")}`).toBeGreaterThan(0);
    expect(agent.some((p) => p.environ.includes(`ANTHROPIC_API_KEY=${placeholder}`))).toBe(true);
    expect(during.filter((p) => p.environ.includes(REAL) || p.cmdline.includes(REAL)).map((p) => p.cmdline)).toEqual([]);
  });

  test("autoupdate, sharing, model-list and LSP fetches are off; what else it tried was refused without breaking it", async () => {
    const config = JSON.parse((await dockerExec(bottle.containers.agent, ["cat", "/home/node/.config/opencode/opencode.json"], { user: "node" })).stdout);
    expect(config).toMatchObject({ autoupdate: false, share: "disabled", permission: "allow" });
    const allowed = egress.filter((r) => r.decision === "allow");
    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.every((r) => r.host === MODEL_HOST)).toBe(true);
    // The Bun runtime trusted the bottle's CA: the model API's TLS was intercepted and the route applied.
    expect(allowed.every((r) => r.intercepted === true && r.route === MODEL_HOST)).toBe(true);
    // Refused, and harmless (the run above succeeded): at most opencode installing its plugin SDK from the npm registry.
    expect(new Set(egress.filter((r) => r.decision !== "allow").map((r) => r.host))).toEqual(
      new Set(egress.some((r) => r.decision !== "allow") ? ["registry.npmjs.org"] : []),
    );
  }, 60_000);
});
