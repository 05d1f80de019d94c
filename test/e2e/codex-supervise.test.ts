// Supervise with real Codex CLI: with `supervise = true` Codex loads the
// bundle's MCP server from the config.toml bot-bottle wrote (streamable HTTP,
// straight to the bundle), the scripted model calls request_approval, the
// operator approves through the CLI, and Codex hands the answer back to the
// model as the tool's output.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/openai-api.ts";
import { CALL_PREFIX, toolOutputFor } from "../fakes/openai/script.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { CODEX_AGENT, codexManifest, fakeOpenAIKey, OPENAI_KEY_VAR } from "../helpers/codex.ts";
import { describeRun } from "../helpers/cli.ts";
import { networkGateway, requireDocker } from "../helpers/docker.ts";
import { pollUntil } from "../helpers/poll.ts";
import { PORTS } from "../../src/plan/bottle-paths.ts";
import { MCP_PATH } from "../../src/bundle/supervise/server-path.ts";
import { SUPERVISE_PROMPT } from "../../src/bundle/supervise/mcp-config.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";
import type { RunResult } from "../../src/util/run.ts";

const enabled = await requireDocker("e2e: real Codex CLI asks the operator through supervise");
// Codex exposes MCP tools as mcp__<server>__<tool>; code mode calls them on `tools` by that name made an identifier.
const TOOL = "mcp__bot_bottle__request_approval";
const INPUT = { action: "delete the build folder", reason: "cleanup" };

describe.skipIf(!enabled)("supervise: real Codex CLI asks, the operator answers through the CLI", () => {
  const REAL = fakeOpenAIKey();
  let fake: FakeOpenAI;
  let bottle: TestBottle;
  let request: { id: string; kind: string; action: string; reason: string; status: string } | undefined;
  let answered: RunResult | undefined;
  let runResult: RunResult;
  let error: string | undefined;
  let egress: AuditRecord[] = [];

  beforeAll(async () => {
    fake = startFakeOpenAI({ hostname: await networkGateway("bridge"), auth: { bearer: REAL }, scriptOptions: { toolCall: { tool: TOOL, input: INPUT } } });
    bottle = testBottle({
      prefix: "sup-codex",
      manifest: codexManifest({ bottle: "sup", upstream: fake.url, extra: ["supervise = true"] }),
      agents: { coder: CODEX_AGENT.replace('skills = ["bottle-probe"]\n', "") },
      env: { [OPENAI_KEY_VAR]: REAL },
    });
    let finished = false;
    const running = bottle.cli(["run", "sup", "--name", bottle.id, "--keep", "--yes", "-p", "Clean up the build folder."], 900_000).finally(() => (finished = true));
    try {
      request = await pollUntil(
        "Codex's request in `bot-bottle supervise --json`",
        async () => {
          const res = await bottle.cli(["supervise", "--json"], 30_000);
          if (res.code !== 0) throw new Error(describeRun(res));
          return (JSON.parse(res.stdout) as (typeof request & {})[]).find((it) => it.kind === "approval");
        },
        { timeoutMs: 900_000, intervalMs: 300, stop: () => finished },
      );
      answered = await bottle.cli(["supervise", "approve", request.id, "--note", "go ahead"], 30_000);
    } catch (e) {
      error = String(e);
    }
    runResult = await running;
    if (error) console.log(`codex supervise e2e: ${error}\n${describeRun(runResult)}`);
    const logs = await bottle.cli(["logs", bottle.id, "--egress", "--json"], 60_000);
    if (logs.code === 0) egress = JSON.parse(logs.stdout);
  }, 1_000_000);

  afterAll(async () => {
    await bottle?.cleanup();
    await fake?.close();
  }, 120_000);

  test("the model was told what the operator's tools are for (Codex defers MCP tools in code mode)", () => {
    const turns = fake.responseRequests().filter((r) => r.json?.generate !== false);
    expect(turns.length).toBeGreaterThan(0);
    // Up to the first quote: the rest is JSON-escaped in the body.
    expect(turns[0]!.body).toContain(SUPERVISE_PROMPT.split('"')[0]!);
  });

  test("the request reached the operator's inbox with the agent's action and reason", () => {
    expect(error, error).toBeUndefined();
    expect(request).toMatchObject({ kind: "approval", status: "pending", ...INPUT });
    expect(answered?.code, answered && describeRun(answered)).toBe(0);
  });

  test("the run exits 0 and the model got the approval and the note as the tool's output", () => {
    expect(runResult.code, describeRun(runResult)).toBe(0);
    const outputs = fake.responseRequests().map((r) => toolOutputFor(r.json, CALL_PREFIX)).filter((o): o is string => o !== null);
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.at(-1)).toContain("approve");
    expect(outputs.at(-1)).toContain("go ahead");
    expect(runResult.stdout).toContain(`${TOOL} returned:`);
  });

  test("the MCP traffic went to the bundle directly, not through the proxy", () => {
    expect(egress.some((r) => r.host === "api.openai.com" && r.decision === "allow")).toBe(true);
    expect(egress.filter((r) => r.port === PORTS.supervise || (r.path ?? "").startsWith(MCP_PATH))).toEqual([]);
    expect(egress.filter((r) => r.decision !== "allow").map((r) => `${r.decision} ${r.host}`)).toEqual([]);
  });
});
