// The end-to-end proof for Codex CLI: the real binary in a docker bottle does a
// task through the bundle, against a scripted fake of the OpenAI Responses API
// (WebSocket transport first, as Codex prefers). The fake only accepts the
// REAL key, which the bottle never holds: Codex presents the placeholder from
// the auth.json bot-bottle wrote, and the bundle swaps it on the way out.
import { beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/openai-api.ts";
import { containerEnv, testBottle, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { dockerExec, networkGateway, requireDocker } from "../helpers/docker.ts";
import { canWatchProcesses, type ProcSnapshot } from "../helpers/procs.ts";
import { grepFiles } from "../helpers/scan.ts";
import { cleanUpAfterAll, egressLog, expectHelloFile, expectKeyNotInEnv, expectKeyNotInFiles, expectKeyNotInProcesses, resumeForPlaceholder, runWatched, type SecretScan } from "../helpers/agent-run.ts";
import { CODEX_AGENT, CODEX_SKILL, codexManifest, fakeOpenAIKey, OPENAI_KEY_VAR } from "../helpers/codex.ts";
import type { RunResult } from "../../src/util/run.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";

const enabled = await requireDocker("e2e: real Codex CLI in a bottle");

describe.skipIf(!enabled)("real Codex CLI in a docker bottle", () => {
  const REAL = fakeOpenAIKey();
  const marker = `marker-${crypto.randomUUID()}`;
  let fake: FakeOpenAI;
  let bottle: TestBottle;
  let runResult: RunResult;
  let placeholder = "";
  let audit: AuditRecord[] = [];
  let during: ProcSnapshot[] = [];
  /** A second task on the resumed bottle with WebSockets refused: Codex falls back to HTTP SSE. */
  let sseRun: RunResult | undefined;
  let sseFrom = 0;

  beforeAll(async () => {
    fake = startFakeOpenAI({ hostname: await networkGateway("bridge"), auth: { bearer: REAL } });
    bottle = testBottle({
      prefix: "e2e-codex",
      manifest: codexManifest({ bottle: "e2e", upstream: fake.url }),
      agents: { coder: CODEX_AGENT },
      files: { "README.md": `${marker}\n`, "skills/bottle-probe/SKILL.md": CODEX_SKILL },
      env: { [OPENAI_KEY_VAR]: REAL },
    });
    const started = performance.now();
    ({ result: runResult, during } = await runWatched(bottle));
    console.log(`e2e-codex: the fake API got ${fake.requests.map((r) => `${r.method} ${r.path}${r.transport === "ws" ? ` ${r.json?.type}` : ""}`).join(", ") || "nothing"}`);
    console.log(`e2e-codex: bot-bottle run took ${Math.round(performance.now() - started)} ms (exit ${runResult.code})`);
    if (runResult.code === 0) {
      sseFrom = fake.requests.length;
      fake.setWebSocket(false);
      sseRun = await bottle.cli(["resume", bottle.id, "-p", "create second.txt containing two"], 300_000);
      console.log(`e2e-codex: over SSE the fake got ${fake.requests.slice(sseFrom).map((r) => `${r.method} ${r.path}`).join(", ")}`);
    }
    audit = await egressLog(bottle);
    console.log(`e2e-codex: egress ${audit.map((r) => `${r.decision} ${r.method} ${r.host}${r.path ?? ""}`).join(" | ")}`);
    if (runResult.code === 0) placeholder = await resumeForPlaceholder(bottle, "OPENAI_API_KEY");
  }, 1_000_000);

  cleanUpAfterAll(() => ({ bottle, fake }));

  test("bot-bottle run exits 0 and Codex finished the task", () => {
    expect(runResult.code, describeRun(runResult)).toBe(0);
    expect(runResult.stdout).toContain("Created hello.txt");
  }, 60_000);

  test("the file exists in the bottle", () => expectHelloFile(bottle), 60_000);

  test("Codex spoke the Responses WebSocket through the proxy, with the full tool loop", () => {
    const calls = fake.responseRequests().filter((r) => fake.requests.indexOf(r) < sseFrom);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((r) => r.transport === "ws")).toBe(true);
    const outputs = calls.flatMap((r) => (Array.isArray(r.json?.input) ? r.json.input : []));
    expect(outputs.some((i: any) => i?.type === "custom_tool_call_output" || i?.type === "function_call_output")).toBe(true);
    // The WebSocket went through the intercepting proxy on the route's host (CONNECT api.openai.com, then the upgrade).
    expect(audit.some((r) => r.decision === "allow" && r.host === "api.openai.com" && r.route === "api.openai.com")).toBe(true);
  }, 60_000);

  test("with WebSockets refused (426), Codex falls back to HTTP SSE through the proxy and finishes a second task", async () => {
    expect(sseRun?.code, sseRun && describeRun(sseRun)).toBe(0);
    expect(sseRun!.stdout).toContain("Created second.txt");
    const posts = fake.requests.slice(sseFrom).filter((r) => r.method === "POST" && r.path === "/v1/responses");
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(posts.every((r) => r.headers.accept === "text/event-stream" || r.json?.stream === true)).toBe(true);
    const res = await bottle.cli(["exec", bottle.id, "--", "cat", "second.txt"]);
    expect(res.stdout).toBe("two\n");
  }, 60_000);

  test("the fake saw the real key on every call and never the placeholder", () => {
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const r of fake.requests) {
      expect(r.headers["authorization"]).toBe(`Bearer ${REAL}`);
      expect(JSON.stringify(r.headers) + r.body).not.toContain(placeholder);
    }
  }, 60_000);

  test("the agent's prompt (AGENTS.md) and skill reached the model", () => {
    const bodies = fake.responseRequests().map((r) => r.body).join("\n");
    expect(bodies).toContain("codex-e2e-prompt-marker");
    expect(bodies).toContain("bottle-probe");
  }, 60_000);

  test("the agent holds a placeholder of the same shape in its env and auth.json, and the bundle the real key", async () => {
    expect(placeholder).toMatch(/^sk-proj-/);
    expect(placeholder.length).toBe(REAL.length);
    expect(placeholder).not.toBe(REAL);
    const auth = await dockerExec(bottle.containers.agent, ["cat", "/home/node/.codex/auth.json"], { user: "node" });
    expect(JSON.parse(auth.stdout)).toEqual({ auth_mode: "apikey", OPENAI_API_KEY: placeholder });
    expect(Object.values(await containerEnv(bottle.containers.bundle))).toContain(REAL);
  }, 60_000);

  const scan = (): SecretScan => ({ agent: bottle.containers.agent, real: REAL, placeholder, keyVar: "OPENAI_API_KEY", marker });

  test("the real key is nowhere in the agent container's env", () => expectKeyNotInEnv(scan()), 60_000);

  test("the real key is in no file of the agent (grep -r / as root and as the agent)", async () => {
    // Codex's own session log holds what it sent: the scan must cover it and find only the placeholder.
    expect(await grepFiles(bottle.containers.agent, placeholder, "root")).toContain("/home/node/.codex/auth.json");
    await expectKeyNotInFiles(scan(), ["root", "node"]);
  }, 180_000);

  test("the real key is in no process's env or command line", () => expectKeyNotInProcesses(scan()), 60_000);

  test.skipIf(!canWatchProcesses())("while Codex ran, no process held the real key", () => {
    const codex = during.filter((p) => /(^|\/)codex(\.js)?\n/.test(p.cmdline));
    expect(codex.length, `processes seen: ${during.map((p) => p.cmdline.split("\n")[0]).join(", ")}`).toBeGreaterThan(0);
    expect(during.filter((p) => p.environ.includes(REAL) || p.cmdline.includes(REAL)).map((p) => p.cmdline)).toEqual([]);
  });

  test("Codex reached nothing but its route: no update check, no telemetry, nothing refused", () => {
    const elsewhere = audit.filter((r) => r.host !== "api.openai.com");
    expect(elsewhere.map((r) => `${r.decision} ${r.host}${r.path ?? ""}`)).toEqual([]);
  }, 60_000);
});
