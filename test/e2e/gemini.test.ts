// Real Gemini CLI in a docker bottle does a task through the bundle, talking
// to a scripted fake of the Gemini API (test/fakes/gemini-api.ts) that accepts
// only the REAL key. The bottle holds a placeholder of the same shape in
// GEMINI_API_KEY; the bundle swaps it for the real key in x-goog-api-key.
import { beforeAll, describe, expect, test } from "bun:test";
import { startFakeGemini, type FakeGemini } from "../fakes/gemini-api.ts";
import { containerEnv, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { dockerExec, networkGateway, requireDocker } from "../helpers/docker.ts";
import { canWatchProcesses, type ProcSnapshot } from "../helpers/procs.ts";
import { cleanUpAfterAll, expectHelloFile, expectKeyNotInEnv, expectKeyNotInFiles, expectKeyNotInProcesses, runAndInspect, skilledAgentBottle, type SecretScan } from "../helpers/agent-run.ts";
import { refusedEgress } from "../helpers/egress.ts";
import { agentWithSkill, fakeGeminiKey } from "../helpers/agents.ts";
import type { RunResult } from "../../src/util/run.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";

const enabled = await requireDocker("e2e: real Gemini CLI in a bottle");
const MODEL_HOST = "generativelanguage.googleapis.com";

describe.skipIf(!enabled)("real Gemini CLI in a docker bottle", () => {
  const REAL = fakeGeminiKey();
  const marker = `marker-${crypto.randomUUID()}`;
  const skill = agentWithSkill(`skill-${crypto.randomUUID()}`);
  let fake: FakeGemini;
  let bottle: TestBottle;
  let runResult: RunResult;
  let placeholder = "";
  let egress: AuditRecord[] = [];
  let during: ProcSnapshot[] = [];

  beforeAll(async () => {
    fake = startFakeGemini({ hostname: await networkGateway("bridge"), apiKey: REAL });
    bottle = skilledAgentBottle({ prefix: "e2e-gem", provider: "gemini", upstream: fake.url, realKey: REAL, marker, skill });
    ({ result: runResult, during, egress, placeholder } = await runAndInspect("e2e gemini", bottle, fake, "GEMINI_API_KEY"));
  }, 1_000_000);

  cleanUpAfterAll(() => ({ bottle, fake }));

  test("bot-bottle run exits 0 and Gemini CLI finished the task", () => {
    expect(runResult.code, describeRun(runResult)).toBe(0);
    expect(runResult.stdout).toContain("Created hello.txt");
  }, 60_000);

  test("the agent's skill landed where Gemini CLI reads skills: the model was told of it", () => {
    const description = skill.files["skills/review/SKILL.md"]!.match(/description: (.*)/)![1]!;
    expect(fake.requests.some((r) => r.body.includes(description))).toBe(true);
  });

  test("the file exists in the bottle", () => expectHelloFile(bottle), 60_000);

  test("the fake saw the real key on every call, the function-call loop, and never the placeholder", () => {
    const calls = fake.generateRequests();
    expect(calls.some((r) => r.path.includes(":streamGenerateContent?alt=sse"))).toBe(true);
    for (const r of fake.requests) {
      expect(r.headers["x-goog-api-key"]).toBe(REAL);
      expect(JSON.stringify(r.headers) + r.path + r.body).not.toContain(placeholder);
    }
    const answered = calls.some((r) => r.json?.contents?.some((c: any) => c.parts?.some((p: any) => p.functionResponse)));
    expect(answered).toBe(true);
  }, 60_000);

  test("the agent holds a placeholder of the key's shape, the bundle the real key", async () => {
    expect(placeholder).toMatch(/^AIza[0-9A-Za-z_-]{35}$/);
    expect(placeholder).not.toBe(REAL);
    expect(Object.values(await containerEnv(bottle.containers.bundle))).toContain(REAL);
  }, 60_000);

  test("the real key is in no env, file or process of the agent", async () => {
    const scan: SecretScan = { agent: bottle.containers.agent, real: REAL, placeholder, keyVar: "GEMINI_API_KEY", marker };
    await expectKeyNotInEnv(scan);
    await expectKeyNotInFiles(scan, ["root"]);
    await expectKeyNotInProcesses(scan);
  }, 240_000);

  test.skipIf(!canWatchProcesses())("while Gemini CLI ran, its processes held the placeholder and never the real key", () => {
    const agent = during.filter((p) => p.cmdline.includes("gemini"));
    expect(agent.length, `processes seen: ${during.map((p) => p.cmdline.split("\n")[0]).join(", ")}`).toBeGreaterThan(0);
    expect(agent.some((p) => p.environ.includes(`GEMINI_API_KEY=${placeholder}`))).toBe(true);
    expect(during.filter((p) => p.environ.includes(REAL) || p.cmdline.includes(REAL)).map((p) => p.cmdline)).toEqual([]);
  });

  test("telemetry, usage statistics and update checks are off: nothing else was tried", async () => {
    const settings = JSON.parse((await dockerExec(bottle.containers.agent, ["cat", "/home/node/.gemini/settings.json"], { user: "node" })).stdout);
    expect(settings.privacy.usageStatisticsEnabled).toBe(false);
    expect(settings.telemetry.enabled).toBe(false);
    expect(settings.general.enableAutoUpdate).toBe(false);
    // Every request the agent made went to the model API: the audit log has no refused egress.
    expect(refusedEgress(egress)).toEqual([]);
    const allowed = egress.filter((r) => r.decision === "allow");
    expect(allowed.length).toBeGreaterThan(0);
    // Node trusted the bottle's CA (NODE_EXTRA_CA_CERTS): the model API's TLS was intercepted and the route applied.
    expect(allowed.every((r) => r.host === MODEL_HOST && r.intercepted === true && r.route === MODEL_HOST)).toBe(true);
  }, 60_000);
});
