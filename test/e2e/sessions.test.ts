// Interactive sessions (`bot-bottle launch`) of real Gemini CLI and real
// opencode: the CLI runs under a pseudo-terminal, the test types the task
// into the agent's own TUI like an operator, the file appears in the bottle,
// and the session ends from the keyboard. The model is the scripted fake,
// reached only through the bundle.
import { afterAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../fakes/anthropic-api.ts";
import { startFakeGemini } from "../fakes/gemini-api.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { agentManifest, fakeGeminiKey } from "../helpers/agents.ts";
import { CODER_AGENT, REAL_KEY_VAR, fakeRealKey } from "../helpers/claude.ts";
import { dockerExec, networkGateway, requireDocker } from "../helpers/docker.ts";
import { pollUntil } from "../helpers/poll.ts";
import { cliInPty, type PtySession } from "../helpers/pty.ts";
import { refusedEgress } from "../helpers/egress.ts";
import type { AuditRecord } from "../../src/bundle/proxy/audit.ts";

const enabled = await requireDocker("e2e: interactive Gemini CLI and opencode sessions");
const TASK = "create hello.txt containing hi";

/** The terminal's text without escape sequences. */
const plain = (s: string) => s.replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, "").replace(/\x1b\[[0-9;?<>=]*[ -/]*[@-~]/g, "").replace(/\x1b[=>()][0-9A-Za-z]?/g, "");

interface SessionCase {
  provider: "gemini" | "opencode";
  /** Text the TUI shows once it takes input. */
  ready: RegExp;
  /** Keystrokes that end the session, tried in turn. */
  quit: string[];
}

interface SessionResult {
  bottle: TestBottle;
  pty: PtySession;
  file: string;
  exit: number;
  screen: string;
  /** What the proxy refused during the session (update checks, telemetry…). */
  refused: AuditRecord[];
}

async function session(c: SessionCase, upstream: string, real: string): Promise<SessionResult> {
  const bottle = testBottle({
    prefix: `tty-${c.provider.slice(0, 3)}`,
    manifest: agentManifest({ bottle: "e2e", provider: c.provider, upstream }),
    agents: { coder: CODER_AGENT },
    env: { [REAL_KEY_VAR]: real },
  });
  const pty = cliInPty(["launch", "e2e", "--name", bottle.id, "--yes", "--keep"], { cwd: bottle.project, env: bottle.env });
  let ended = false;
  void pty.exited.then(() => (ended = true));
  let file = "";
  let exit = -1;
  try {
    await pollUntil(`the ${c.provider} TUI to be ready`, async () => (c.ready.test(plain(pty.screen())) ? true : undefined), {
      timeoutMs: 900_000,
      intervalMs: 500,
      stop: () => ended,
    });
    await Bun.sleep(1500);
    pty.type(TASK);
    await Bun.sleep(1000);
    pty.type("\r");
    file = await pollUntil(
      "hello.txt in the bottle",
      async () => {
        const r = await dockerExec(bottle.containers.agent, ["cat", "/home/node/work/hello.txt"], { user: "node" }).catch(() => undefined);
        return r?.stdout === "hi\n" ? r.stdout : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000, stop: () => ended },
    );
    for (const keys of c.quit) {
      pty.type(keys);
      exit = await Promise.race([pty.exited, Bun.sleep(10_000).then(() => -1)]);
      if (exit !== -1) break;
    }
  } catch (e) {
    console.log(`${c.provider} session: ${e}\n${plain(pty.screen()).slice(-3000)}`);
  } finally {
    if (exit === -1) pty.kill();
  }
  const logs = await bottle.cli(["logs", bottle.id, "--egress", "--json"], 60_000);
  const refused = logs.code === 0 ? (JSON.parse(logs.stdout) as AuditRecord[]).filter((r) => r.decision === "deny" || r.decision === "block") : [];
  console.log(`${c.provider} session: refused egress (${refused.length}): ${refusedEgress(refused).join("; ") || "none"}`);
  return { bottle, pty, file, exit, screen: plain(pty.screen()), refused };
}

describe.skipIf(!enabled)("interactive sessions through the bundle", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  }, 240_000);

  test("Gemini CLI: typed task, file created, /quit ends the session", async () => {
    const real = fakeGeminiKey();
    const fake = startFakeGemini({ hostname: await networkGateway("bridge"), apiKey: real });
    const r = await session({ provider: "gemini", ready: /Type your message/, quit: ["/quit", "\r", "\x03\x03"] }, fake.url, real);
    cleanups.push(async () => (await r.bottle.cleanup(), await fake.close()));
    expect(r.file).toBe("hi\n");
    // The TUI ran with approvals off and loaded the agent's prompt file.
    expect(r.screen).toContain("YOLO");
    expect(r.screen).toContain("1 GEMINI.md file");
    expect(r.exit, r.screen.slice(-2000)).toBe(0);
    expect(fake.generateRequests().length).toBeGreaterThan(0);
    // The interactive CLI is where update checks and usage statistics would run: none tried.
    expect(refusedEgress(r.refused)).toEqual([]);
    for (const req of fake.requests) expect(req.headers["x-goog-api-key"]).toBe(real);
  }, 1_000_000);

  test("opencode: typed task, file created, Ctrl-C ends the session", async () => {
    const real = fakeRealKey();
    const fake = startFakeAnthropic({ hostname: await networkGateway("bridge"), apiKey: real });
    const r = await session({ provider: "opencode", ready: /ctrl\+p|Ask anything|tab\s+agents?/i, quit: ["\x03", "\x03", "/exit\r"] }, fake.url, real);
    cleanups.push(async () => (await r.bottle.cleanup(), await fake.close()));
    expect(r.file).toBe("hi\n");
    expect(r.exit, r.screen.slice(-2000)).toBe(0);
    expect(fake.messageRequests().length).toBeGreaterThan(0);
    // At most its plugin SDK install from the npm registry, refused without harm.
    expect(r.refused.every((x) => x.host === "registry.npmjs.org")).toBe(true);
    for (const req of fake.requests) expect(req.headers["x-api-key"]).toBe(real);
  }, 1_000_000);
});
