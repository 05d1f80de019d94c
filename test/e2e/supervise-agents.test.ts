// Supervise with the other MCP-speaking agents: real Gemini CLI and real
// opencode, each in a bottle with `supervise = true`, find the bundle's MCP
// server in their own config, call request_approval; the operator approves
// through the CLI and the answer comes back to the (fake) model as the tool's
// result. One approve round per agent keeps CI time modest; the deny path is
// the same server code, proven with Claude Code (claude-supervise.test.ts).
import { beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import { toolCallTurn } from "../fakes/anthropic/tool-call.ts";
import { startFakeGemini, type FakeGemini } from "../fakes/gemini-api.ts";
import { geminiToolCallTurn } from "../fakes/gemini/script.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { agentManifest, fakeGeminiKey } from "../helpers/agents.ts";
import { CODER_AGENT, REAL_KEY_VAR, fakeRealKey } from "../helpers/claude.ts";
import { describeRun } from "../helpers/cli.ts";
import { networkGateway, requireDocker } from "../helpers/docker.ts";
import { pollUntil } from "../helpers/poll.ts";
import { cleanUpAfterAll } from "../helpers/agent-run.ts";
import { PORTS } from "../../src/plan/bottle-paths.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";
import type { RunResult } from "../../src/util/run.ts";

const enabled = await requireDocker("e2e: Gemini CLI and opencode ask the operator through supervise");
const INPUT = { action: "delete the build folder", reason: "cleanup" };
const APPROVAL = /request_approval$/;

interface Outcome {
  request?: { id: string; kind: string; action: string; reason: string };
  answered?: RunResult;
  run?: RunResult;
  error?: string;
  egress: AuditRecord[];
}

/** Run the agent, approve its request as the operator, wait for it to finish. */
async function approveRound(bottle: TestBottle): Promise<Outcome> {
  const out: Outcome = { egress: [] };
  let finished = false;
  const running = bottle.cli(["run", "sup", "--name", bottle.id, "--yes", "--keep", "-p", "Clean up the build folder."], 900_000).finally(() => (finished = true));
  try {
    out.request = await pollUntil(
      "the agent's request in `bot-bottle supervise --json`",
      async () => {
        const res = await bottle.cli(["supervise", "--json"], 30_000);
        if (res.code !== 0) throw new Error(describeRun(res));
        return (JSON.parse(res.stdout) as NonNullable<Outcome["request"]>[]).find((it) => it.kind === "approval");
      },
      { timeoutMs: 900_000, intervalMs: 300, stop: () => finished },
    );
    out.answered = await bottle.cli(["supervise", "approve", out.request.id, "--note", "go ahead"], 30_000);
  } catch (e) {
    out.error = String(e);
  }
  out.run = await running;
  const logs = await bottle.cli(["logs", bottle.id, "--egress", "--json"], 60_000);
  if (logs.code === 0) out.egress = JSON.parse(logs.stdout);
  if (out.error) console.log(`supervise e2e: ${out.error}\n${describeRun(out.run)}`);
  return out;
}

/** A bottle of `provider` with `supervise = true`, its model API the fake at `upstream`. */
function supervisedBottle(prefix: string, provider: Parameters<typeof agentManifest>[0]["provider"], upstream: string, realKey: string): TestBottle {
  return testBottle({
    prefix,
    manifest: agentManifest({ bottle: "sup", provider, upstream, extra: ["supervise = true"] }),
    agents: { coder: CODER_AGENT },
    env: { [REAL_KEY_VAR]: realKey },
  });
}

function expectApproved(out: Outcome, modelHost: string) {
  expect(out.error, out.error).toBeUndefined();
  expect(out.request).toMatchObject({ kind: "approval", ...INPUT });
  expect(out.answered?.code, out.answered && describeRun(out.answered)).toBe(0);
  expect(out.run?.code, out.run && describeRun(out.run)).toBe(0);
  // The model's final answer quotes the tool's result: the decision and the note.
  expect(out.run!.stdout).toContain("The operator answered:");
  expect(out.run!.stdout).toContain("approve");
  expect(out.run!.stdout).toContain("go ahead");
  // MCP went to the bundle directly (NO_PROXY), never through the proxy.
  expect(out.egress.some((r) => r.host === modelHost && r.decision === "allow")).toBe(true);
  expect(out.egress.filter((r) => r.port === PORTS.supervise)).toEqual([]);
}

describe.skipIf(!enabled)("supervise: real Gemini CLI asks, the operator approves", () => {
  const REAL = fakeGeminiKey();
  let fake: FakeGemini;
  let bottle: TestBottle;
  let out: Outcome;

  beforeAll(async () => {
    fake = startFakeGemini({
      hostname: await networkGateway("bridge"),
      apiKey: REAL,
      script: (body) => geminiToolCallTurn(body, { match: APPROVAL, args: INPUT, answer: (_n, r) => `The operator answered: ${JSON.stringify(r)}` }),
    });
    bottle = supervisedBottle("sup-gem", "gemini", fake.url, REAL);
    out = await approveRound(bottle);
  }, 1_000_000);

  cleanUpAfterAll(() => ({ bottle, fake }));

  test("Gemini CLI called request_approval, got the approval and the note back", () => {
    expectApproved(out, "generativelanguage.googleapis.com");
    for (const r of fake.requests) expect(r.headers["x-goog-api-key"]).toBe(REAL);
  });
});

describe.skipIf(!enabled)("supervise: real opencode asks, the operator approves", () => {
  const REAL = fakeRealKey();
  let fake: FakeAnthropic;
  let bottle: TestBottle;
  let out: Outcome;

  beforeAll(async () => {
    fake = startFakeAnthropic({
      hostname: await networkGateway("bridge"),
      apiKey: REAL,
      // opencode names MCP tools <server>_<tool>: call whichever offered tool asks for approval.
      script: (body) => {
        const tool = ((body?.tools ?? []) as { name?: string }[]).map((t) => String(t.name)).find((n) => APPROVAL.test(n)) ?? "bot-bottle_request_approval";
        return toolCallTurn(body, { tool, input: INPUT, answer: (r) => `The operator answered: ${r}` });
      },
    });
    bottle = supervisedBottle("sup-oc", "opencode", fake.url, REAL);
    out = await approveRound(bottle);
  }, 1_000_000);

  cleanUpAfterAll(() => ({ bottle, fake }));

  test("opencode called request_approval, got the approval and the note back", () => {
    expectApproved(out, "api.anthropic.com");
    for (const r of fake.requests) expect(r.headers["x-api-key"]).toBe(REAL);
  });
});
