// The supervise MCP server with the official SDK client over streamable HTTP,
// answered through the operator's CLI code path (`bot-bottle supervise approve`).
// No docker needed: the daemon runs on loopback against a temp state folder.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startSupervise } from "../../src/bundle/supervise/server.ts";
import type { Daemon } from "../../src/bundle/config.ts";
import { openDb } from "../../src/state/db.ts";
import { recordBottle } from "../../src/state/bottles.ts";
import { hostSuperviseDir, loadInbox, prepareSuperviseDir } from "../../src/supervise/inbox.ts";
import { runCli } from "../../src/cli/index.ts";
import { statePlan } from "../helpers/plan.ts";

const ID = "dev-sup123";
const root = mkdtempSync(join(tmpdir(), "bb-supervise-"));
const savedState = process.env.XDG_STATE_HOME;
process.env.XDG_STATE_HOME = root;

type ToolResult = { content: { type: string; text: string }[]; structuredContent?: { decision: string; note: string; id: string; message: string } };

const fakePlan = (identity: string) => statePlan(identity, { cwd: "/p" });

async function connect(daemon: Daemon): Promise<Client> {
  const client = new Client({ name: "supervise-test", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${daemon.address.port}/mcp`)));
  return client;
}

/** Wait (bounded) until the operator's inbox shows a pending request for this action. */
async function pendingId(action: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const db = openDb();
    const it = loadInbox(db).find((i) => i.request.action === action && !i.answer);
    db.close();
    if (it) return it.request.id;
    await Bun.sleep(50);
  }
  throw new Error(`no pending request for ${action}`);
}

describe("supervise MCP server", () => {
  let daemon: Daemon;
  let quick: Daemon;
  let client: Client;

  beforeAll(async () => {
    const db = openDb();
    recordBottle(db, fakePlan(ID));
    db.close();
    const dir = prepareSuperviseDir(ID);
    daemon = await startSupervise({ listen: "127.0.0.1:0", dir, timeoutSeconds: 60 }, { log: () => {}, heartbeatMs: 100 });
    quick = await startSupervise({ listen: "127.0.0.1:0", dir, timeoutSeconds: 1 }, { log: () => {} });
    client = await connect(daemon);
  });

  afterAll(async () => {
    await client?.close();
    await daemon?.close();
    await quick?.close();
    if (savedState === undefined) delete process.env.XDG_STATE_HOME;
    else process.env.XDG_STATE_HOME = savedState;
    rmSync(root, { recursive: true, force: true });
  });

  test("lists request_approval, notify and pending_requests", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["notify", "pending_requests", "request_approval"]);
  });

  test("request_approval blocks until `supervise approve` answers, and returns the note", async () => {
    const call = client.callTool({ name: "request_approval", arguments: { action: "rm -rf build/", reason: "clean build" } });
    const id = await pendingId("rm -rf build/");
    expect(await runCli(["supervise", "approve", id.slice(0, 6), "--note", "go ahead"])).toBe(0);
    const res = (await call) as ToolResult;
    expect(res.structuredContent).toEqual({ decision: "approve", note: "go ahead", id, message: res.content[0]!.text });
    expect(res.structuredContent!.message).toContain("go ahead");
    expect(res.content[0]!.text).toBe("approved: the operator approved this action. Operator's note: go ahead");
  });

  test("deny path", async () => {
    const call = client.callTool({ name: "request_approval", arguments: { action: "git push --force", reason: "" } });
    const id = await pendingId("git push --force");
    expect(await runCli(["supervise", "deny", id, "--note", "never force"])).toBe(0);
    const res = (await call) as ToolResult;
    expect(res.structuredContent?.decision).toBe("deny");
    expect(res.content[0]!.text).toContain("denied");
    expect(res.content[0]!.text).toContain("never force");
  });

  test("a wait longer than the client's request timeout survives on progress notifications", async () => {
    let progress = 0;
    const call = client.callTool({ name: "request_approval", arguments: { action: "slow answer", reason: "" } }, undefined, {
      timeout: 400,
      resetTimeoutOnProgress: true,
      onprogress: () => progress++,
    });
    const id = await pendingId("slow answer");
    await Bun.sleep(1_200);
    expect(await runCli(["supervise", "approve", id])).toBe(0);
    const res = (await call) as ToolResult;
    expect(res.structuredContent?.decision).toBe("approve");
    expect(progress).toBeGreaterThanOrEqual(5);
  });

  test("no answer: timeout, to be treated as denied; a late answer is refused", async () => {
    const c = await connect(quick);
    const started = Date.now();
    const res = (await c.callTool({ name: "request_approval", arguments: { action: "deploy", reason: "release" } })) as ToolResult;
    await c.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(res.structuredContent?.decision).toBe("timeout");
    expect(res.content[0]!.text).toBe("timeout: no answer within 1 seconds; treat this as denied.");
    expect(await runCli(["supervise", "approve", res.structuredContent!.id])).not.toBe(0);
  });

  test("notify reaches the operator without waiting", async () => {
    const res = (await client.callTool({ name: "notify", arguments: { message: "tests pass" } })) as ToolResult;
    expect(res.content[0]!.text).toBe("delivered to the operator");
    const db = openDb();
    const items = loadInbox(db, process.env, ID);
    db.close();
    expect(items.find((i) => i.request.action === "tests pass")?.request.kind).toBe("notify");
  });

  test("everything is mirrored into the approvals table", () => {
    const db = openDb();
    loadInbox(db);
    const rows = db.query("SELECT kind, action, status, answer_note FROM approvals WHERE identity = $id ORDER BY at").all({ id: ID });
    db.close();
    expect(rows).toEqual([
      { kind: "approval", action: "rm -rf build/", status: "approve", answer_note: "go ahead" },
      { kind: "approval", action: "git push --force", status: "deny", answer_note: "never force" },
      { kind: "approval", action: "slow answer", status: "approve", answer_note: "" },
      { kind: "approval", action: "deploy", status: "timeout", answer_note: "" },
      { kind: "notify", action: "tests pass", status: "info", answer_note: null },
    ]);
  });

  test("approve always: the pattern approves later requests at once; the agent sees its requests and the rule", async () => {
    const call = client.callTool({ name: "request_approval", arguments: { action: "npm publish --tag next", reason: "release" } });
    const id = await pendingId("npm publish --tag next");
    expect(await runCli(["supervise", "approve-always", id, "--pattern", "npm publish *", "--note", "fine from now on"])).toBe(0);
    const first = (await call) as ToolResult;
    expect(first.structuredContent).toMatchObject({ decision: "approve-always", note: "fine from now on" });
    const second = (await client.callTool({ name: "request_approval", arguments: { action: "npm publish --tag beta", reason: "" } })) as ToolResult;
    expect(second.structuredContent?.decision).toBe("approve");
    expect(second.content[0]!.text).toContain('standing rule "npm publish *"');
    const listed = (await client.callTool({ name: "pending_requests", arguments: {} })) as ToolResult;
    const state = JSON.parse(listed.content[0]!.text) as { requests: { id: string; status: string }[]; standing: string[] };
    expect(state.standing).toEqual(["npm publish *"]);
    expect(state.requests.find((r) => r.id === id)?.status).toBe("approve-always");
    // --pattern belongs to approve-always; an egress answer does not fit an approval.
    const other = client.callTool({ name: "request_approval", arguments: { action: "misc", reason: "" } });
    const oid = await pendingId("misc");
    expect(await runCli(["supervise", "deny", oid, "--pattern", "x"])).toBe(2);
    expect(await runCli(["supervise", "allow", oid])).toBe(2);
    expect(await runCli(["supervise", "deny", oid])).toBe(0);
    expect(((await other) as ToolResult).structuredContent?.decision).toBe("deny");
  });

  test("the request files live in the bottle's bundle folder on the host", () => {
    expect(hostSuperviseDir(ID)).toBe(join(root, "bot-bottle", "bottles", ID, "bundle", "supervise"));
  });
});
