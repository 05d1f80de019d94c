// `bot-bottle launch` with real Codex CLI: the interactive TUI starts in a
// terminal (a pty from script(1)) without asking to log in or to trust the
// folder, takes a task typed at its prompt, does it through the bundle, and
// quits on /quit.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/openai-api.ts";
import { testBottle, type TestBottle } from "../helpers/bottle.ts";
import { CODEX_AGENT, codexManifest, fakeOpenAIKey, OPENAI_KEY_VAR } from "../helpers/codex.ts";
import { MAIN, describeRun } from "../helpers/cli.ts";
import { networkGateway, requireDocker } from "../helpers/docker.ts";
import { buildCaFile } from "../helpers/images.ts";
import { pollUntil } from "../helpers/poll.ts";

// util-linux's script(1) (-c, -e, -f); the BSD one on macOS takes other flags.
const hasScript = process.platform === "linux" && Bun.which("script") !== null;
const enabled = (await requireDocker("e2e: real Codex CLI launched interactively")) && hasScript;
if (!hasScript) console.log("skip e2e: codex launch: script(1) from util-linux is not available");

/** The terminal's text without escape sequences. */
const plain = (s: string) => s.replace(/\x1b\[[0-9;?<>=]*[ -\/]*[@-~]/g, "").replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, "");
/** The TUI draws with cursor moves, so words on screen may lose or gain spaces: compare without them. */
const squeezed = (s: string) => plain(s).replace(/\s+/g, "");

describe.skipIf(!enabled)("launch: interactive Codex CLI in a terminal", () => {
  const REAL = fakeOpenAIKey();
  let fake: FakeOpenAI;
  let bottle: TestBottle;
  let screen = "";
  let exitCode: number | string = "not run";
  let error: string | undefined;
  let hello = "";

  beforeAll(async () => {
    fake = startFakeOpenAI({ hostname: await networkGateway("bridge"), auth: { bearer: REAL } });
    bottle = testBottle({
      prefix: "launch-codex",
      manifest: codexManifest({ bottle: "e2e", upstream: fake.url }),
      agents: { coder: CODEX_AGENT.replace('skills = ["bottle-probe"]\n', "") },
      env: { [OPENAI_KEY_VAR]: REAL },
    });
    const ca = buildCaFile();
    // CI=true means "no operator": launch would refuse even with script's pty.
    const env = { ...process.env, ...bottle.home.env, ...(ca ? { BOT_BOTTLE_BUILD_CA: ca } : {}), [OPENAI_KEY_VAR]: REAL, TERM: "xterm-256color", CI: "" };
    const cmd = `stty cols 120 rows 40; exec ${process.execPath} ${MAIN} launch e2e --name ${bottle.id} --keep --yes`;
    const proc = Bun.spawn(["script", "-qfec", cmd, "/dev/null"], { cwd: bottle.project, env, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    let out = "";
    const reading = (async () => {
      for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
    })();
    const type = async (text: string) => {
      proc.stdin.write(text);
      proc.stdin.flush();
      await Bun.sleep(300);
    };
    let exited = false;
    proc.exited.then(() => (exited = true));
    try {
      // The first launch builds the codex and bundle images: minutes on a cold CI machine.
      await pollUntil("Codex's prompt", async () => (plain(out).includes("Ask Codex to do anything") ? true : undefined), { timeoutMs: 900_000, intervalMs: 500, stop: () => exited });
      await type("create hello.txt containing hi");
      // Codex treats keys that arrive in a burst as a paste, where Enter is a newline, not a submit:
      // Enter goes only once the text is on screen and the burst is over, and again if it was eaten.
      await pollUntil("the typed task on screen", async () => (squeezed(out).includes("createhello.txtcontaininghi") ? true : undefined), { timeoutMs: 30_000, intervalMs: 200, stop: () => exited });
      await Bun.sleep(1000);
      await type("\r");
      let polls = 0;
      hello = await pollUntil(
        "hello.txt in the bottle",
        async () => {
          const r = await bottle.cli(["exec", bottle.id, "--", "cat", "hello.txt"], 30_000);
          if (r.code === 0) return r.stdout;
          if (++polls % 10 === 0 && !squeezed(out).includes("Working")) await type("\r");
          return undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1000, stop: () => exited },
      );
      await pollUntil("the final answer on screen", async () => (squeezed(out).includes("Createdhello.txt") ? true : undefined), { timeoutMs: 60_000, stop: () => exited });
    } catch (e) {
      error = String(e);
    }
    if (!exited) {
      await type("/quit");
      await Bun.sleep(700);
      await type("\r");
    }
    const code = await Promise.race([proc.exited, Bun.sleep(60_000).then(() => "timeout" as const)]);
    if (code === "timeout") proc.kill();
    exitCode = code;
    await reading.catch(() => undefined);
    screen = plain(out);
    if (error || code !== 0) console.log(`codex launch e2e: ${error ?? ""} exit ${code}\n${screen.slice(-4000)}`);
  }, 1_200_000);

  afterAll(async () => {
    await bottle?.cleanup();
    await fake?.close();
  }, 120_000);

  test("the TUI came up at its prompt, never asking to log in or to trust the folder", () => {
    expect(error, error).toBeUndefined();
    expect(screen).toContain("OpenAI Codex");
    expect(screen).not.toMatch(/Sign in with ChatGPT|Provide your own API key|Do you trust/i);
  });

  test("the typed task was done through the bundle, with the real key only past it", () => {
    expect(hello).toBe("hi\n");
    expect(squeezed(screen)).toContain("Createdhello.txt");
    expect(fake.responseRequests().length).toBeGreaterThanOrEqual(2);
    for (const r of fake.requests) expect(r.headers.authorization).toBe(`Bearer ${REAL}`);
  });

  test("/quit ends the session and launch exits 0 (the bottle kept)", async () => {
    expect(exitCode).toBe(0);
    const ls = await bottle.cli(["ls", "--json", "-a"]);
    expect(ls.code, describeRun(ls)).toBe(0);
    expect(ls.stdout).toContain(bottle.id);
  });
});
