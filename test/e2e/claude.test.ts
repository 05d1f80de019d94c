// The end-to-end proof: real Claude Code in a docker bottle does a task
// through the bundle, talking to a scripted fake of the Anthropic API. The
// fake only accepts the REAL key, which the bottle never holds: the bundle
// swaps the agent's placeholder for it on the way out.
import { beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import { containerEnv, testBottle, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { networkGateway, requireDocker } from "../helpers/docker.ts";
import { canWatchProcesses, type ProcSnapshot } from "../helpers/procs.ts";
import { cleanUpAfterAll, expectHelloFile, expectKeyNotInEnv, expectKeyNotInFiles, expectKeyNotInProcesses, resumeForPlaceholder, runWatched, type SecretScan } from "../helpers/agent-run.ts";
import type { RunResult } from "../../src/util/run.ts";
import { claudeManifest, CODER_AGENT, fakeRealKey, REAL_KEY_VAR } from "../helpers/claude.ts";

const enabled = await requireDocker("e2e: real Claude Code in a bottle");

describe.skipIf(!enabled)("real Claude Code in a docker bottle", () => {
  const REAL = fakeRealKey();
  const marker = `marker-${crypto.randomUUID()}`;
  let fake: FakeAnthropic;
  let bottle: TestBottle;
  let runResult: RunResult;
  let placeholder = "";
  /** Processes seen in the agent while Claude Code ran (host-side, root only). */
  let during: ProcSnapshot[] = [];

  beforeAll(async () => {
    // Served on the host's docker0 address: the bundle reaches it over its egress network.
    fake = startFakeAnthropic({ hostname: await networkGateway("bridge"), apiKey: REAL });
    bottle = testBottle({
      prefix: "e2e",
      manifest: claudeManifest({ bottle: "e2e", upstream: fake.url }),
      agents: { coder: CODER_AGENT },
      files: { "README.md": `${marker}\n` },
      env: { [REAL_KEY_VAR]: REAL },
    });
    const started = performance.now();
    ({ result: runResult, during } = await runWatched(bottle));
    console.log(`e2e: the fake API got ${fake.requests.map((r) => `${r.method} ${r.path}`).join(", ") || "nothing"}`);
    console.log(`e2e: bot-bottle run took ${Math.round(performance.now() - started)} ms (exit ${runResult.code})`);
    if (runResult.code === 0) placeholder = await resumeForPlaceholder(bottle, "ANTHROPIC_API_KEY");
  }, 1_000_000);

  cleanUpAfterAll(() => ({ bottle, fake }));

  test("bot-bottle run exits 0 and Claude Code finished the task", () => {
    expect(runResult.code, describeRun(runResult)).toBe(0);
    expect(runResult.stdout).toContain("Created hello.txt");
  }, 60_000);

  test("the file exists in the bottle", () => expectHelloFile(bottle), 60_000);

  test("the fake API saw the real key on every call, the full tool loop, and never the placeholder", () => {
    const calls = fake.messageRequests();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const r of fake.requests) {
      expect(r.headers["x-api-key"] ?? REAL).toBe(REAL);
      expect(JSON.stringify(r.headers) + r.body).not.toContain(placeholder);
    }
    const toolResult = calls.some((r) => r.json?.messages?.some((m: any) => Array.isArray(m.content) && m.content.some((b: any) => b.type === "tool_result")));
    expect(toolResult).toBe(true);
  }, 60_000);

  test("the agent holds a placeholder of the same shape, and the bundle the real key", async () => {
    expect(placeholder).toMatch(/^sk-ant-api03-/);
    expect(placeholder.length).toBe(REAL.length);
    expect(placeholder).not.toBe(REAL);
    const bundleEnv = Object.values(await containerEnv(bottle.containers.bundle));
    expect(bundleEnv).toContain(REAL);
  }, 60_000);

  const scan = (): SecretScan => ({ agent: bottle.containers.agent, real: REAL, placeholder, keyVar: "ANTHROPIC_API_KEY", marker });

  test("the real key is nowhere in the agent container's env", () => expectKeyNotInEnv(scan()), 60_000);

  // grep reads the pattern from stdin: the key never enters the agent's argv or env.
  test("the real key is in no file of the agent (grep -r / as root and as the agent)", () => expectKeyNotInFiles(scan(), ["root", "node"]), 180_000);

  test("the real key is in no process's env or command line", () => expectKeyNotInProcesses(scan()), 60_000);

  test.skipIf(!canWatchProcesses())("while Claude Code ran, its process held the placeholder and never the real key", () => {
    const claude = during.filter((p) => /(^|\/)claude(\.exe)?\n/.test(p.cmdline));
    expect(claude.length, `processes seen: ${during.map((p) => p.cmdline.split("\n")[0]).join(", ")}`).toBeGreaterThan(0);
    expect(claude.some((p) => p.environ.includes(`ANTHROPIC_API_KEY=${placeholder}`))).toBe(true);
    expect(during.filter((p) => p.environ.includes(REAL) || p.cmdline.includes(REAL)).map((p) => p.cmdline)).toEqual([]);
  });
});
