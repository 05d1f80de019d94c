// The supervise daemon: an MCP server over streamable HTTP at /mcp with the
// tools the agent uses to keep the operator in the loop. Stateless (a fresh
// server and transport per HTTP request, as the SDK recommends) so a restart
// of the bundle or of the agent needs no session recovery; a blocked
// request_approval keeps its SSE stream alive with keep-alive comments and,
// when the client asked for them, progress notifications.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import * as z from "zod";
import type { Daemon, SuperviseConfig } from "../config.ts";
import { VERSION } from "../../version.ts";
import { parseListen } from "../git-gate/listen.ts";
import { askApproval, notify } from "./approvals.ts";
import { ensureSuperviseDirs, listRequests, readAnswer } from "./protocol.ts";
import { readStanding } from "./standing.ts";
import { openChain, releaseChain, type ChainWriter } from "../audit-chain/writer.ts";
import { MCP_PATH } from "./server-path.ts";

/** Progress notifications while request_approval waits (clients reset their timeout on each). */
const HEARTBEAT_MS = 10_000;
/** SSE keep-alive comments: below Bun.serve's idle timeout. */
const KEEPALIVE_MS = 5_000;

export interface SuperviseOptions {
  log?: (line: string) => void;
  /** Interval of progress notifications while request_approval waits (tests shorten it). */
  heartbeatMs?: number;
}

export async function startSupervise(cfg: SuperviseConfig, opts: SuperviseOptions = {}): Promise<Daemon> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`supervise: ${line}\n`));
  ensureSuperviseDirs(cfg.dir);
  const { host, port } = parseListen(cfg.listen);
  // Waits still running when the daemon closes are cancelled, not left hanging.
  const closing = new AbortController();
  const chain = cfg.auditLog ? openChain(cfg.auditLog) : undefined;

  const server = Bun.serve({
    hostname: host,
    port,
    // Seconds; long enough to outlast the keep-alive interval of a waiting stream.
    idleTimeout: 60,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/healthz") return new Response("ok\n");
      if (url.pathname !== MCP_PATH) return new Response("not found\n", { status: 404 });
      // Stateless: no server-initiated stream to offer (GET) and no session to end (DELETE); the spec allows 405.
      if (req.method !== "POST") return new Response("method not allowed\n", { status: 405, headers: { Allow: "POST" } });
      const mcp = buildMcpServer(cfg, closing.signal, log, opts.heartbeatMs ?? HEARTBEAT_MS, chain);
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, keepAliveMs: KEEPALIVE_MS });
      await mcp.connect(transport);
      return transport.handleRequest(req);
    },
  });
  log(`MCP server on http://${host}:${server.port}${MCP_PATH}, requests in ${cfg.dir}`);
  return {
    address: { host, port: server.port ?? port },
    async close() {
      closing.abort();
      await server.stop(true);
      if (chain) await releaseChain(chain);
    },
  };
}

function buildMcpServer(cfg: SuperviseConfig, closing: AbortSignal, log: (l: string) => void, heartbeatMs: number, chain?: ChainWriter): McpServer {
  const mcp = new McpServer({ name: "bot-bottle", version: VERSION });
  mcp.registerTool(
    "request_approval",
    {
      title: "Ask the operator for approval",
      description:
        "Ask the human operator to approve an action before you take it (e.g. a risky command, a push, a purchase). " +
        `Blocks until the operator answers or ${cfg.timeoutSeconds} seconds pass. ` +
        "Proceed only if the answer's decision is \"approve\" or \"approve-always\"; treat \"deny\", \"timeout\" and \"cancelled\" as a refusal.",
      inputSchema: {
        action: z.string().min(1).describe("What you want to do, concretely (the command, the change)"),
        reason: z.string().describe("Why it is needed"),
      },
      outputSchema: {
        decision: z.enum(["approve", "approve-always", "deny", "timeout", "cancelled"]),
        note: z.string(),
        id: z.string(),
        // Claude Code hands the model only the structured result when a tool declares one:
        // the sentence that says what to do must be in it too.
        message: z.string(),
      },
    },
    async ({ action, reason }, extra) => {
      const signal = AbortSignal.any([extra.signal, closing]);
      const progressToken = extra._meta?.progressToken;
      let beats = 0;
      chain?.append("approval", "supervise", { event: "asked", action, reason });
      const res = await askApproval(cfg.dir, action, reason, {
        timeoutSeconds: cfg.timeoutSeconds,
        timeoutDecision: cfg.timeoutDecision,
        signal,
        heartbeatMs: progressToken === undefined ? undefined : heartbeatMs,
        onHeartbeat: () => {
          beats++;
          void extra
            .sendNotification({
              method: "notifications/progress",
              params: { progressToken: progressToken!, progress: beats, message: "waiting for the operator" },
            })
            .catch(() => undefined);
        },
      });
      log(`approval ${res.request.id}: ${res.answer.decision} (${action})`);
      chain?.append("approval", "supervise", {
        event: "answered",
        id: res.request.id,
        action,
        decision: res.answer.decision,
        by: res.answer.by,
        note: res.answer.note,
        ...(res.answer.pattern ? { pattern: res.answer.pattern } : {}),
      });
      return {
        content: [{ type: "text", text: res.text }],
        structuredContent: { decision: res.answer.decision, note: res.answer.note, id: res.request.id, message: res.text },
      };
    },
  );
  mcp.registerTool(
    "pending_requests",
    {
      title: "See your requests to the operator",
      description:
        "List this bottle's requests to the operator and their state: approvals you asked for, and requests the proxy is holding " +
        "because their host is not allowed yet (kind \"egress\"). Also lists the standing approvals (actions approved always).",
      inputSchema: {},
    },
    async () => {
      const items = listRequests(cfg.dir)
        .filter((r) => r.kind !== "notify")
        .map((r) => {
          const a = readAnswer(cfg.dir, r.id);
          return { id: r.id, kind: r.kind, action: r.action, at: r.at, expiresAt: r.expiresAt ?? null, status: a ? a.decision : "pending", note: a?.note ?? null };
        });
      const result = { requests: items.slice(-50), standing: readStanding(cfg.dir).map((s) => s.pattern) };
      return { content: [{ type: "text", text: JSON.stringify(result) }] };
    },
  );
  mcp.registerTool(
    "notify",
    {
      title: "Tell the operator something",
      description: "Send the human operator a short message (progress, a finished task, a problem). Does not wait for an answer.",
      inputSchema: { message: z.string().min(1).describe("The message") },
    },
    async ({ message }) => {
      const req = notify(cfg.dir, message);
      log(`notification ${req.id}: ${message}`);
      return { content: [{ type: "text", text: "delivered to the operator" }] };
    },
  );
  return mcp;
}
