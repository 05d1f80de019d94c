// Ask-to-allow at the proxy, on loopback (no docker): HTTPS to a host outside
// the allowlist is intercepted (even with DLP off) so the operator's question
// names the method and path, held until the answer, then forwarded or refused.
// The operator is played by writing answer files, as the host CLI does.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { startProxy, UPSTREAM_CA_ENV, type ProxyDaemon } from "../../src/bundle/proxy/server.ts";
import { listRequests, writeAnswer, type Decision, type SuperviseRequest } from "../../src/bundle/supervise/protocol.ts";
import { readChain } from "../../src/bundle/audit-chain/read.ts";
import { startTestUpstream, type TestUpstream } from "../../scripts/bench/lib/upstream.ts";

const CURL = Bun.which("curl");
if (!CURL) console.warn("skipping the ask-to-allow proxy tests: curl is not installed");

let dir: string;
let up: TestUpstream;
let proxy: ProxyDaemon;
const sup = () => join(dir, "supervise");

async function curl(path: string, ca = join(dir, "ca", "ca.crt")): Promise<{ status: number; body: string; connect?: number }> {
  const p = Bun.spawn(
    ["curl", "-sS", "--max-time", "20", "--cacert", ca, "-x", `http://127.0.0.1:${proxy.address.port}`, "-w", "\n%{http_connect} %{http_code}", `https://localhost:${up.port}${path}`],
    { stdout: "pipe", stderr: "pipe" },
  );
  const out = await new Response(p.stdout).text();
  await p.exited;
  const i = out.lastIndexOf("\n");
  const [connect, status] = out.slice(i + 1).split(" ").map(Number);
  // The CONNECT's own answer matters only when it refused the tunnel.
  return connect === 200 ? { status: status!, body: out.slice(0, i) } : { status: status!, body: out.slice(0, i), connect };
}

const seenIds = new Set<string>();
async function question(path: string): Promise<SuperviseRequest> {
  for (let i = 0; i < 500; i++) {
    const q = listRequests(sup()).find((r) => r.kind === "egress" && r.egress?.path.startsWith(path) && !seenIds.has(r.id));
    if (q) return seenIds.add(q.id), q;
    await Bun.sleep(10);
  }
  throw new Error(`no question for ${path}`);
}

const answer = (id: string, decision: Decision, note = "") => writeAnswer(sup(), { id, decision, note, at: new Date().toISOString(), by: "operator" });

beforeAll(async () => {
  if (!CURL) return;
  dir = mkdtempSync(join(tmpdir(), "bb-proxy-ask-"));
  up = await startTestUpstream(dir);
  proxy = await startProxy(
    {
      listen: "127.0.0.1:0",
      allow: [],
      dlp: false,
      routes: [],
      secretEnv: [],
      caDir: join(dir, "ca"),
      auditLog: join(dir, "audit-chain.jsonl"),
      blockPrivate: true,
      allowPrivate: ["localhost", "127.0.0.1"],
      ask: { dir: sup(), timeoutSeconds: 20 },
    },
    { [UPSTREAM_CA_ENV]: up.caFile },
  );
});

afterAll(async () => {
  await proxy?.close();
  await up?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!CURL)("ask-to-allow through CONNECT", () => {
  test("allow once: the question shows method and path; this request passes, the next one asks again", async () => {
    const held = curl("/hello?token=abc");
    const q = await question("/hello?token=");
    expect(q.egress).toMatchObject({ host: "localhost", port: up.port, method: "GET", entry: `localhost:${up.port}`, count: 1 });
    expect(up.seen.length).toBe(0);
    answer(q.id, "allow-once");
    expect(await held).toEqual({ status: 200, body: "hello\n" });

    const again = curl("/echo");
    const q2 = await question("/echo");
    expect(q2.id).not.toBe(q.id);
    answer(q2.id, "deny", "use the cache");
    const r = await again;
    expect(r.status).toBe(403);
    expect(r.body).toContain("the operator denied access to localhost");
    expect(r.body).toContain("use the cache");
  }, 60_000);

  test("deny always: refused at once from then on, never asked again; a live allow lifts it", async () => {
    const held = curl("/bytes?n=1");
    answer((await question("/bytes?n=")).id, "deny-always");
    expect((await held).status).toBe(403);
    const before = listRequests(sup()).length;
    // Refused at CONNECT: the tunnel is never opened.
    expect(await curl("/hello")).toEqual({ status: 0, body: "", connect: 403 });
    expect(listRequests(sup()).length).toBe(before);

    proxy.setPolicy({ allow: [`localhost:${up.port}`], deny: [] });
    // DLP is off and the host has no route: now a blind tunnel, so the agent meets the origin's own certificate.
    expect(await curl("/hello", up.caFile)).toEqual({ status: 200, body: "hello\n" });
  }, 60_000);

  test("a live deny closes a tunnel already open to that host (a blind one: nothing else would stop it)", async () => {
    proxy.setPolicy({ allow: [`localhost:${up.port}`], deny: [] });
    const sock = connect(proxy.address.port, "127.0.0.1");
    const closed = new Promise<void>((resolve) => sock.once("close", () => resolve()));
    sock.on("error", () => {});
    const established = new Promise<string>((resolve) => sock.once("data", (d: Buffer) => resolve(d.toString("latin1"))));
    sock.write(`CONNECT localhost:${up.port} HTTP/1.1\r\nHost: localhost:${up.port}\r\n\r\n`);
    expect(await established).toStartWith("HTTP/1.1 200");
    // The tunnel joins the origin once the client's TLS hello names the host.
    const tls = tlsConnect({ socket: sock, servername: "localhost", ca: up.caPem });
    tls.on("error", () => {});
    await new Promise<void>((resolve) => tls.once("secureConnect", () => resolve()));
    // Another host's change leaves it alone; denying its host closes it.
    proxy.setPolicy({ allow: [`localhost:${up.port}`, "other.test"], deny: [] });
    expect(sock.destroyed).toBe(false);
    proxy.setPolicy({ allow: [], deny: [`localhost:${up.port}`] });
    await closed;
    const rec = readChain(dir, { kinds: ["egress"] }).at(-1);
    expect(rec?.data.reason).toContain("no longer allows");
  }, 30_000);

  test("every question and answer is in the audit chain", () => {
    const asks = readChain(dir, { kinds: ["ask"] }).map((r) => r.data.event);
    expect(asks.filter((e) => e === "asked").length).toBe(3);
    expect(asks.filter((e) => e === "answered").length).toBe(3);
  });
});
