// The end-to-end proof of supervise: real Claude Code in a docker bottle with
// `supervise = true` calls the bundle's MCP tool request_approval; the
// operator answers through the CLI (`bot-bottle supervise approve|deny`); the
// answer reaches Claude Code, which sends it back to the (fake) model as the
// tool result. Approve on a first run, deny on a resumed second one.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import { resultText } from "../fakes/anthropic/tool-call.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { CODER_AGENT, REAL_KEY_VAR, claudeManifest, fakeRealKey } from "../helpers/claude.ts";
import { describeRun } from "../helpers/cli.ts";
import { networkGateway, requireDocker } from "../helpers/docker.ts";
import { pollUntil } from "../helpers/poll.ts";
import { PORTS } from "../../src/plan/bottle-paths.ts";
import { MCP_PATH } from "../../src/bundle/supervise/server-path.ts";
import { SUPERVISE_PROMPT } from "../../src/bundle/supervise/mcp-config.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";
import type { RunResult } from "../../src/util/run.ts";

const enabled = await requireDocker("e2e: real Claude Code asks the operator through supervise");
const TOOL = "mcp__bot-bottle__request_approval";
const INPUT = { action: "delete the build folder", reason: "cleanup" };

interface InboxJson {
  id: string;
  kind: string;
  action: string;
  reason: string;
  status: string;
  note: string | null;
}

/** One ask-and-answer round: what the operator saw, what the run printed, what it cost. */
interface Round {
  request?: InboxJson;
  answered?: RunResult;
  run?: RunResult;
  error?: string;
  /** From starting the CLI to the request showing up in `supervise --json`. */
  msToRequest?: number;
  ms?: number;
}

describe.skipIf(!enabled)("supervise: real Claude Code asks, the operator answers through the CLI", () => {
  const REAL = fakeRealKey();
  let fake: FakeAnthropic;
  let bottle: TestBottle;
  const approve: Round = {};
  const deny: Round = {};
  let egress: AuditRecord[] = [];
  /** Index into fake.requests where the deny round began. */
  let denyFrom = 0;

  /** Start the agent in the background, answer its request as the operator, wait for it to finish. */
  async function round(out: Round, args: string[], decision: "approve" | "deny", note: string, seen: Set<string>) {
    const started = performance.now();
    let finished = false;
    // The first run builds the claude and bundle images: minutes on a cold CI machine.
    const running = bottle.cli(args, 900_000).finally(() => (finished = true));
    try {
      out.request = await pollUntil(
        "Claude Code's request in `bot-bottle supervise --json`",
        async () => {
          const res = await bottle.cli(["supervise", "--json"], 30_000);
          if (res.code !== 0) throw new Error(describeRun(res));
          return (JSON.parse(res.stdout) as InboxJson[]).find((it) => it.kind === "approval" && !seen.has(it.id));
        },
        { timeoutMs: 900_000, intervalMs: 300, stop: () => finished },
      );
      out.msToRequest = Math.round(performance.now() - started);
      seen.add(out.request.id);
      out.answered = await bottle.cli(["supervise", decision, out.request.id, "--note", note], 30_000);
    } catch (e) {
      out.error = String(e);
    }
    out.run = await running;
    out.ms = Math.round(performance.now() - started);
    console.log(`supervise e2e: ${decision} round took ${out.ms} ms (request after ${out.msToRequest ?? "-"} ms, exit ${out.run.code})`);
    if (out.error) console.log(`supervise e2e: ${out.error}\n${describeRun(out.run)}`);
  }

  /** The tool results Claude Code sent back for the scripted call, in requests [from, to). */
  function toolResults(from: number, to?: number): string[] {
    const sent = fake.requests.slice(from, to).filter((r) => r.method === "POST" && r.path.split("?")[0] === "/v1/messages");
    const texts = sent.flatMap((r) => {
      const msgs: any[] = r.json?.messages ?? [];
      const ids = new Set(msgs.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b: any) => b.type === "tool_use" && b.name === TOOL).map((b: any) => b.id));
      return msgs.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b: any) => b.type === "tool_result" && ids.has(b.tool_use_id)).map((b: any) => resultText(b.content));
    });
    return [...new Set(texts)];
  }

  beforeAll(async () => {
    fake = startFakeAnthropic({
      hostname: await networkGateway("bridge"),
      apiKey: REAL,
      toolCall: { tool: TOOL, input: INPUT, answer: (r) => `The operator answered: ${r}` },
    });
    bottle = testBottle({
      prefix: "sup",
      manifest: claudeManifest({ bottle: "sup", upstream: fake.url, extra: ["supervise = true"] }),
      agents: { coder: CODER_AGENT },
      env: { [REAL_KEY_VAR]: REAL },
    });
    const seen = new Set<string>();
    await round(approve, ["run", "sup", "--name", bottle.id, "--keep", "--yes", "-p", "Clean up the build folder."], "approve", "go ahead", seen);
    denyFrom = fake.requests.length;
    if (approve.run?.code === 0) await round(deny, ["resume", bottle.id, "-p", "Clean up the build folder again."], "deny", "not today", seen);
    const logs = await bottle.cli(["logs", bottle.id, "--egress", "--json"], 60_000);
    if (logs.code === 0) egress = JSON.parse(logs.stdout);
    else console.log(describeRun(logs));
  }, 2_000_000);

  afterAll(async () => {
    await bottle?.cleanup();
    await fake?.close();
  }, 120_000);

  test("the request reached the operator's inbox with the agent's action and reason", () => {
    expect(approve.error, approve.error).toBeUndefined();
    expect(approve.request).toMatchObject({ kind: "approval", status: "pending", ...INPUT });
    expect(approve.answered?.code, approve.answered && describeRun(approve.answered)).toBe(0);
  });

  test("the model was told what the operator's tools are for (Claude Code defers their descriptions)", () => {
    const main = fake.messageRequests().filter((r) => r.json?.tools?.length);
    expect(main.length).toBeGreaterThan(0);
    // Up to the first quote: the rest is JSON-escaped in the body.
    for (const r of main) expect(r.body).toContain(SUPERVISE_PROMPT.split('"')[0]!);
  });

  test("the approved run exits 0 and Claude Code got the approval and the note as the tool result", () => {
    expect(approve.run?.code, approve.run && describeRun(approve.run)).toBe(0);
    const results = toolResults(0, denyFrom);
    expect(results).toHaveLength(1);
    expect(results[0]).toContain("approve");
    expect(results[0]).toContain("go ahead");
    // The model's final answer, printed by `claude -p`, quotes it.
    expect(approve.run!.stdout).toContain(`The operator answered: ${results[0]}`);
  });

  test("a denial on the resumed bottle reaches Claude Code the same way", () => {
    expect(deny.error, deny.error).toBeUndefined();
    expect(deny.request).toMatchObject({ kind: "approval", ...INPUT });
    expect(deny.request!.id).not.toBe(approve.request?.id);
    expect(deny.run?.code, deny.run && describeRun(deny.run)).toBe(0);
    const results = toolResults(denyFrom);
    expect(results).toHaveLength(1);
    // Claude Code hands the model the tool's structured result ({"decision":"deny",…}) when there is one, else its text ("denied: …").
    expect(results[0]).toMatch(/\bden(y|ied)\b/);
    expect(results[0]).not.toContain("approve");
    expect(results[0]).toContain("not today");
    expect(deny.run!.stdout).toContain(`The operator answered: ${results[0]}`);
  });

  test("the answers are recorded: `supervise --json --all` shows both decisions and notes", async () => {
    const res = await bottle.cli(["supervise", "--json", "--all"], 30_000);
    expect(res.code, describeRun(res)).toBe(0);
    const items = (JSON.parse(res.stdout) as InboxJson[]).filter((it) => it.kind === "approval");
    expect(items.map((it) => [it.id, it.status, it.note])).toEqual([
      [approve.request!.id, "approve", "go ahead"],
      [deny.request!.id, "deny", "not today"],
    ]);
  }, 60_000);

  test("the MCP traffic went to the bundle directly, not through the proxy", () => {
    // The audit log did record the model's traffic, so its silence about MCP means something.
    expect(egress.some((r) => r.host === "api.anthropic.com" && r.decision === "allow")).toBe(true);
    const mcp = egress.filter((r) => r.port === PORTS.supervise || (r.path ?? "").startsWith(MCP_PATH));
    expect(mcp).toEqual([]);
    // Nothing else was refused either (a DLP false positive on Claude Code's ids once blocked a run here).
    expect(egress.filter((r) => r.decision !== "allow")).toEqual([]);
  });
});
