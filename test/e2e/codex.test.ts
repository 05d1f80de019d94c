// The end-to-end proof for Codex CLI: the real binary in a docker bottle does a
// task through the bundle, against a scripted fake of the OpenAI Responses API
// (WebSocket transport first, as Codex prefers). The fake only accepts the
// REAL key, which the bottle never holds: Codex presents the placeholder from
// the auth.json bot-bottle wrote, and the bundle swaps it on the way out.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/openai-api.ts";
import { containerEnv, testBottle, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { docker, dockerExec, networkGateway, requireDocker } from "../helpers/docker.ts";
import { canWatchProcesses, watchContainerProcesses, type ProcSnapshot } from "../helpers/procs.ts";
import { grepFiles, grepProcesses } from "../helpers/scan.ts";
import { CODEX_AGENT, CODEX_SKILL, codexManifest, fakeOpenAIKey, OPENAI_KEY_VAR } from "../helpers/codex.ts";
import type { RunResult } from "../../src/util/run.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";

const enabled = await requireDocker("e2e: real Codex CLI in a bottle");
const TASK = "create hello.txt containing hi";
const WORKDIR = "/home/node/work";

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
    const watch = canWatchProcesses() ? watchContainerProcesses(bottle.containers.agent) : undefined;
    // The first run builds the codex and bundle images: minutes on a cold CI machine.
    runResult = await bottle.cli(["run", "e2e", "--name", bottle.id, "--keep", "--yes", "-p", TASK], 900_000);
    during = (await watch?.stop()) ?? [];
    console.log(`e2e-codex: the fake API got ${fake.requests.map((r) => `${r.method} ${r.path}${r.transport === "ws" ? ` ${r.json?.type}` : ""}`).join(", ") || "nothing"}`);
    console.log(`e2e-codex: bot-bottle run took ${Math.round(performance.now() - started)} ms (exit ${runResult.code})`);
    if (runResult.code === 0) {
      sseFrom = fake.requests.length;
      fake.setWebSocket(false);
      sseRun = await bottle.cli(["resume", bottle.id, "-p", "create second.txt containing two"], 300_000);
      console.log(`e2e-codex: over SSE the fake got ${fake.requests.slice(sseFrom).map((r) => `${r.method} ${r.path}`).join(", ")}`);
    }
    const logs = await bottle.cli(["logs", bottle.id, "--egress", "--json"]);
    audit = logs.code === 0 ? (JSON.parse(logs.stdout) as AuditRecord[]) : [];
    console.log(`e2e-codex: egress ${audit.map((r) => `${r.decision} ${r.method} ${r.host}${r.path ?? ""}`).join(" | ")}`);
    if (runResult.code === 0) {
      const resumed = await bottle.cli(["resume", bottle.id, "--detach"], 120_000);
      if (resumed.code !== 0) console.log(describeRun(resumed));
      placeholder = (await containerEnv(bottle.containers.agent)).OPENAI_API_KEY ?? "";
    }
  }, 1_000_000);

  afterAll(async () => {
    await bottle?.cleanup();
    await fake?.close();
  }, 120_000);

  test("bot-bottle run exits 0 and Codex finished the task", () => {
    expect(runResult.code, describeRun(runResult)).toBe(0);
    expect(runResult.stdout).toContain("Created hello.txt");
  }, 60_000);

  test("the file exists in the bottle", async () => {
    const res = await bottle.cli(["exec", bottle.id, "--", "cat", "hello.txt"]);
    expect(res.code, describeRun(res)).toBe(0);
    expect(res.stdout).toBe("hi\n");
  }, 60_000);

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

  test("the real key is nowhere in the agent container's env", async () => {
    const env = await containerEnv(bottle.containers.agent);
    expect(Object.values(env).some((v) => v.includes(REAL))).toBe(false);
    const execEnv = await dockerExec(bottle.containers.agent, ["env"], { user: "node" });
    expect(execEnv.stdout).toContain(placeholder);
    expect(execEnv.stdout).not.toContain(REAL);
  }, 60_000);

  test("the real key is in no file of the agent (grep -r / as root and as the agent)", async () => {
    expect(await grepFiles(bottle.containers.agent, marker, "node")).toContain(`${WORKDIR}/README.md`);
    // Codex's own session log holds what it sent: the scan must cover it and find only the placeholder.
    expect(await grepFiles(bottle.containers.agent, placeholder, "root")).toContain("/home/node/.codex/auth.json");
    expect(await grepFiles(bottle.containers.agent, REAL, "root")).toBe("");
    expect(await grepFiles(bottle.containers.agent, REAL, "node")).toBe("");
  }, 180_000);

  test("the real key is in no process's env or command line", async () => {
    expect(await grepProcesses(bottle.containers.agent, placeholder)).toContain(`OPENAI_API_KEY=${placeholder}`);
    expect(await grepProcesses(bottle.containers.agent, REAL)).toBe("");
    const top = await docker(["top", bottle.containers.agent, "-eo", "pid,args"]);
    expect(top).not.toContain(REAL);
  }, 60_000);

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
