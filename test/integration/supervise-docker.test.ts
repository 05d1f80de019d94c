// Supervise in a real docker bottle: the agent calls request_approval on the
// bundle's MCP endpoint (plain curl speaking streamable HTTP), the operator
// answers with `bot-bottle supervise approve` on the host, and the answer
// travels back through the shared folder to the agent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../../src/state/db.ts";
import { dockerAnswers } from "../helpers/docker.ts";
import { cliEnv } from "../helpers/tmp.ts";
import { sh } from "../helpers/git.ts";
import { cli as runCli } from "../helpers/cli.ts";
import { writeShellBox } from "../helpers/manifest.ts";



const dockerOk = dockerAnswers("the supervise docker test");
const skipReason = dockerOk ? "" : "no docker engine";

const TMP = mkdtempSync(join(tmpdir(), "bb-sup-docker-"));
const CWD = join(TMP, "project");
const ENV = cliEnv(TMP);
const NAME = `it-sup-${Math.random().toString(36).slice(2, 8)}`;

const cli = (args: string[], timeoutMs = 600_000) => runCli(args, { cwd: CWD, env: ENV, timeoutMs });

beforeAll(() => {
  if (skipReason) return;
  writeShellBox(CWD, "supervise = true\n");
});

afterAll(async () => {
  if (!skipReason) await cli(["rm", "--force", NAME], 120_000).catch(() => undefined);
  rmSync(TMP, { recursive: true, force: true });
});

describe.skipIf(!!skipReason)("supervise in a docker bottle", () => {
  test("request_approval from the agent, approved by the operator's CLI", async () => {
    const call = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "request_approval", arguments: { action: "deploy to prod", reason: "docker test" } },
    });
    const script = [
      // The bundle's address is the proxy's; MCP goes straight to it, not through the proxy.
      `B=$(echo "$HTTPS_PROXY" | sed -E 's#http://([^:/]+):.*#\\1#')`,
      `curl -sS --noproxy '*' -m 240 -X POST "http://$B:9100/mcp" -H 'content-type: application/json'` +
        ` -H 'accept: application/json, text/event-stream' -H 'mcp-protocol-version: 2025-06-18' --data '${call}'`,
    ].join("\n");
    const running = cli(["run", "box", "--name", NAME, "--", "bash", "-c", script]);

    // The operator's side: wait (bounded) for the request to show up, then approve it.
    let id: string | undefined;
    const deadline = Date.now() + 300_000;
    while (!id && Date.now() < deadline) {
      const list = await cli(["supervise", "--json"], 60_000);
      id = (JSON.parse(list.stdout || "[]") as { id: string; action: string }[]).find((r) => r.action === "deploy to prod")?.id;
      if (!id) await Bun.sleep(500);
    }
    expect(id).toBeDefined();
    const approve = await cli(["supervise", "approve", id!, "--note", "ship it"], 60_000);
    expect(approve.code).toBe(0);

    const r = await running;
    expect(r.stdout).toContain('"decision":"approve"');
    expect(r.stdout).toContain("ship it");
    expect(r.code).toBe(0);
    // The answer stays in the approvals table after the bottle is gone.
    const db = openDb(join(ENV.XDG_STATE_HOME!, "bot-bottle", "state.db"));
    const row = db.query("SELECT identity, status, answer_note FROM approvals WHERE id = $id").get({ id: id! });
    db.close();
    expect(row).toEqual({ identity: NAME, status: "approve", answer_note: "ship it" });
  }, 900_000);
});
