// The loop end to end with real Claude Code: the (fake) model has Claude Code
// run `curl` on a host outside the bottle's allowlist through its Bash tool;
// the bundle holds the request and asks; the operator allows it for the bottle
// through the CLI; the held request completes and Claude Code carries on,
// sending the fetched text back to the model.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-api.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { CODER_AGENT, REAL_KEY_VAR, claudeManifest, fakeRealKey } from "../helpers/claude.ts";
import { describeRun } from "../helpers/cli.ts";
import { networkGateway, requireDocker } from "../helpers/docker.ts";
import { pollUntil } from "../helpers/poll.ts";
import type { RunResult } from "../../src/util/run.ts";

const enabled = await requireDocker("e2e: real Claude Code continues after the operator allows a host");

interface Item {
  id: string;
  kind: string;
  egress?: { host: string; port: number; method: string; path: string; entry: string };
}

describe.skipIf(!enabled)("ask to allow: real Claude Code", () => {
  const REAL = fakeRealKey();
  const marker = `data-${crypto.randomUUID()}`;
  let fake: FakeAnthropic;
  let blocked: ReturnType<typeof Bun.serve>;
  let bottle: TestBottle;
  let question: Item | undefined;
  let answered: RunResult | undefined;
  let run: RunResult;
  let verify: RunResult | undefined;

  beforeAll(async () => {
    const gw = await networkGateway("bridge");
    blocked = Bun.serve({ hostname: gw, port: 0, fetch: () => new Response(`${marker}\n`) });
    const url = `http://${gw}:${blocked.port}/data`;
    fake = startFakeAnthropic({
      hostname: gw,
      apiKey: REAL,
      toolCall: { tool: "Bash", input: { command: `curl -sS -m 240 ${url}`, description: "Fetch the data" }, answer: (r) => `The fetch returned: ${r}` },
    });
    bottle = testBottle({
      prefix: "ask",
      manifest: claudeManifest({ bottle: "ask", upstream: fake.url, extra: ["supervise = true", 'on_deny = "ask"', "ask_timeout = 300"] }),
      agents: { coder: CODER_AGENT },
      env: { [REAL_KEY_VAR]: REAL },
    });
    let finished = false;
    const running = bottle.cli(["run", "ask", "--name", bottle.id, "--keep", "--yes", "-p", "Fetch the data."], 900_000).finally(() => (finished = true));
    try {
      question = await pollUntil(
        "the held curl in `bot-bottle supervise --json`",
        async () => {
          const res = await bottle.cli(["supervise", "--json"], 30_000);
          if (res.code !== 0) throw new Error(describeRun(res));
          return (JSON.parse(res.stdout) as Item[]).find((it) => it.kind === "egress");
        },
        { timeoutMs: 900_000, intervalMs: 300, stop: () => finished },
      );
      answered = await bottle.cli(["supervise", "allow", question.id, "--note", "ok for this task"], 30_000);
    } catch (e) {
      console.log(`ask e2e: ${e}`);
    }
    run = await running;
    verify = await bottle.cli(["audit", bottle.id, "--verify"], 60_000);
  }, 1_000_000);

  afterAll(async () => {
    await bottle?.cleanup();
    await fake?.close();
    blocked?.stop(true);
  }, 120_000);

  test("the operator saw the request Claude Code's curl made", () => {
    expect(question?.egress, describeRun(run)).toMatchObject({ method: "GET", path: "/data", port: blocked.port });
    expect(answered?.code, answered && describeRun(answered)).toBe(0);
  });

  test("after the answer the held request completed and Claude Code carried on with its result", () => {
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`The fetch returned: ${marker}`);
  });

  test("the audit chain of the run verifies", () => {
    expect(verify?.code, verify && describeRun(verify)).toBe(0);
  });
});
