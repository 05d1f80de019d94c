// Real opencode (the native binary from `opencode-ai`) in a docker bottle does
// a task through the bundle, talking to the scripted fake of the Anthropic
// Messages API (test/fakes/anthropic-api.ts) that accepts only the REAL key.
// opencode is a Bun-compiled binary: this also proves its runtime trusts the
// bottle's CA (NODE_EXTRA_CA_CERTS) and goes through HTTPS_PROXY.
import { beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import { containerEnv, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { dockerExec, networkGateway, requireDocker } from "../helpers/docker.ts";
import { canWatchProcesses, type ProcSnapshot } from "../helpers/procs.ts";
import { cleanUpAfterAll, expectHelloFile, expectKeyNotInEnv, expectKeyNotInFiles, expectKeyNotInProcesses, runAndInspect, skilledAgentBottle, type SecretScan } from "../helpers/agent-run.ts";
import { agentWithSkill } from "../helpers/agents.ts";
import { fakeRealKey } from "../helpers/claude.ts";
import type { RunResult } from "../../src/util/run.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";

const enabled = await requireDocker("e2e: real opencode in a bottle");
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
    bottle = skilledAgentBottle({ prefix: "e2e-oc", provider: "opencode", upstream: fake.url, realKey: REAL, marker, skill });
    ({ result: runResult, during, egress, placeholder } = await runAndInspect("e2e opencode", bottle, fake, "ANTHROPIC_API_KEY"));
  }, 1_000_000);

  cleanUpAfterAll(() => ({ bottle, fake }));

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

  test("the file exists in the bottle", () => expectHelloFile(bottle), 60_000);

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
    const scan: SecretScan = { agent: bottle.containers.agent, real: REAL, placeholder, keyVar: "ANTHROPIC_API_KEY", marker };
    await expectKeyNotInEnv(scan);
    await expectKeyNotInFiles(scan, ["root"]);
    await expectKeyNotInProcesses(scan);
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
