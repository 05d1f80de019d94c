// Redact, don't brick: real Claude Code in a docker bottle runs a command
// whose output (a tool result) holds an AWS key and another route's
// placeholder. Every later request to the model API carries that history;
// the bundle redacts both in flight instead of refusing, so the next two
// turns succeed — and the fake API never sees the key or the placeholder.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import type { AssistantTurn } from "../fakes/anthropic/messages.ts";
import { resultText } from "../fakes/anthropic/tool-call.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { describeRun } from "../helpers/cli.ts";
import { networkGateway, requireDocker } from "../helpers/docker.ts";
import { claudeManifest, CODER_AGENT, fakeRealKey, REAL_KEY_VAR } from "../helpers/claude.ts";
import type { RunResult } from "../../src/util/run.ts";

const enabled = await requireDocker("e2e: redaction with real Claude Code");

/** A random AWS access key id (built at run time: nothing in the repo looks like one). */
function awsKeyId(): string {
  const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  return "AKIA" + [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b32[b % 32]).join("");
}

type Block = { type: string; name?: string; id?: string; tool_use_id?: string; content?: unknown };

/** The model's script: three Bash turns, then an answer that quotes the last result. */
function script(aws: string) {
  const commands = [`echo "AWS_ACCESS_KEY_ID=${aws}"; echo "OPENAI_API_KEY=$OPENAI_API_KEY"`, "echo turn-two-ok > two.txt && cat two.txt", "echo turn-three-ok"];
  return (body: any): AssistantTurn => {
    const messages: { role: string; content: string | Block[] }[] = body?.messages ?? [];
    const offered: string[] = (body?.tools ?? []).map((t: { name?: string }) => String(t?.name));
    if (!offered.includes("Bash")) return { content: [{ type: "text", text: "OK" }], stopReason: "end_turn" };
    const results = messages.flatMap((m) => (m.role === "user" && Array.isArray(m.content) ? m.content : [])).filter((b) => b.type === "tool_result");
    if (results.length < commands.length) {
      const id = `toolu_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
      return { content: [{ type: "tool_use", id, name: "Bash", input: { command: commands[results.length], description: "step" } }], stopReason: "tool_use" };
    }
    return { content: [{ type: "text", text: `done: ${resultText(results.at(-1)!.content).trim()}` }], stopReason: "end_turn" };
  };
}

describe.skipIf(!enabled)("real Claude Code: a secret in the session's history is redacted, not a dead session", () => {
  const REAL = fakeRealKey();
  const AWS = awsKeyId();
  let fake: FakeAnthropic;
  let bottle: TestBottle;
  let result: RunResult;

  beforeAll(async () => {
    fake = startFakeAnthropic({ hostname: await networkGateway("bridge"), apiKey: REAL, script: script(AWS) });
    bottle = testBottle({
      prefix: "e2er",
      manifest:
        claudeManifest({ bottle: "e2er", upstream: fake.url }) +
        `
[[bottles.e2er.egress]]
host = "api.openai.com"
kind = "openai"
credential = "\${TEST_OPENAI_KEY}"
upstream = "${fake.url}"
`,
      agents: { coder: CODER_AGENT },
      env: { [REAL_KEY_VAR]: REAL, TEST_OPENAI_KEY: `sk-proj-${crypto.randomUUID().replaceAll("-", "")}` },
    });
    result = await bottle.cli(["run", "e2er", "--name", bottle.id, "--keep", "--yes", "-p", "run the three steps"], 900_000);
    console.log(`e2e redact: the fake API got ${fake.messageRequests().length} message requests (exit ${result.code})`);
  }, 1_000_000);

  afterAll(async () => {
    await bottle?.cleanup();
    await fake?.close();
  }, 120_000);

  test("the run finishes: both turns after the leaky tool result succeed", () => {
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toContain("done: turn-three-ok");
    const withTools = fake.messageRequests().filter((r) => r.json?.tools?.length);
    // Turn 1 (the leaky command), turn 2 and turn 3 each came back as a tool result.
    const last = withTools.at(-1)!.json.messages.flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).filter((b: Block) => b.type === "tool_result");
    expect(last.length).toBe(3);
  }, 60_000);

  test("the fake API never saw the AWS key or the OpenAI placeholder, only the markers", () => {
    const bodies = fake.requests.map((r) => r.body).join("\n");
    expect(bodies).not.toContain(AWS);
    expect(bodies).toContain("[REDACTED:aws-access-key]");
    expect(bodies).toContain("[PLACEHOLDER:OPENAI_API_KEY]");
    expect(bodies).not.toMatch(/sk-proj-[A-Za-z0-9]{20,}/);
  }, 60_000);

  test("the audit log records each redaction", async () => {
    const logs = await bottle.cli(["logs", bottle.id, "--egress", "--json"]);
    expect(logs.code, describeRun(logs)).toBe(0);
    const recs = JSON.parse(logs.stdout) as { redacted?: string[] }[];
    expect(recs.filter((r) => r.redacted?.includes("[REDACTED:aws-access-key]")).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
