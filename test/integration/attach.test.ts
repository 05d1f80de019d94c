// A launched session survives its terminal dropping, and `attach` rejoins it:
// the launch runs under a real pty (util-linux `script`), the pty is torn down
// (SIGKILL of `script`: the kernel hangs up the session), the agent keeps
// running in the bottle, and `attach` in a new pty talks to the same agent
// and exits with its code.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stateKey } from "../../src/backends/shared/bundle-sidecar.ts";
import { dockerAnswers } from "../helpers/docker.ts";
import { cliEnv, testId } from "../helpers/tmp.ts";
import { cli as runCli, MAIN } from "../helpers/cli.ts";
import { pollUntil } from "../helpers/poll.ts";
import { SH_AGENT, writeProject } from "../helpers/manifest.ts";

const hasScript = Bun.which("script") !== null;
if (!hasScript) console.log("skip: attach tests need util-linux `script` for a pty");
const dockerOk = hasScript && dockerAnswers("attach integration tests");
const TMP = mkdtempSync(join(tmpdir(), "bb-attach-"));
const CWD = join(TMP, "project");
// A terminal session: CI must not be "true" or the CLI refuses to be interactive.
const ENV = { ...cliEnv(TMP), CI: "", NODE_ENV: "production", TERM: "xterm" };
const KEY = stateKey(ENV);
const NAME = `attach-${testId()}`;

const cli = (args: string[]) => runCli(args, { cwd: CWD, env: { ...ENV, CI: "true" }, timeoutMs: 600_000 });

/** The CLI under a fresh pty; its output (the terminal's) is collected. */
function inPty(args: string[]) {
  const cmd = [process.execPath, MAIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const p = Bun.spawn(["script", "-qfec", cmd, "/dev/null"], { cwd: CWD, env: ENV, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  let out = "";
  const pump = (async () => {
    for await (const c of p.stdout as ReadableStream<Uint8Array>) out += new TextDecoder().decode(c);
  })();
  return { p, output: () => out, pump };
}

beforeAll(() => {
  if (!dockerOk) return;
  writeProject(CWD, {
    agents: { sh: SH_AGENT },
    manifest: `version = 1
[bottles.talk]
agent = "sh"
command = ["sh", "-c", "echo READY; read line; echo got:$line; exit 7"]
`,
  });
});

afterAll(() => {
  if (dockerOk) {
    const f = ["--filter", `label=bot-bottle.state=${KEY}`];
    const cs = Bun.spawnSync(["docker", "ps", "-aq", ...f]).stdout.toString().split("\n").filter(Boolean);
    if (cs.length) Bun.spawnSync(["docker", "rm", "-f", ...cs]);
    const ns = Bun.spawnSync(["docker", "network", "ls", "-q", ...f]).stdout.toString().split("\n").filter(Boolean);
    if (ns.length) Bun.spawnSync(["docker", "network", "rm", ...ns]);
  }
  rmSync(TMP, { recursive: true, force: true });
});

describe.skipIf(!dockerOk)("attach", () => {
  test("the agent outlives a dropped terminal; attach rejoins it and returns its code", async () => {
    const launch = inPty(["launch", "talk", "--name", NAME, "--yes"]);
    await pollUntil("the session to start", async () => (/READY\r?\n/.test(launch.output()) ? true : undefined), {
      timeoutMs: 480_000,
      intervalMs: 200,
      stop: () => launch.p.exitCode !== null,
    });
    // The terminal goes away: the kernel hangs up everything on that pty.
    launch.p.kill(9);
    await launch.p.exited;
    type Row = { identity: string; status: string; live: string; keep: boolean };
    const row = await pollUntil(
      "the launcher to let go",
      async () => {
        const r = (JSON.parse((await cli(["ls", "--json"])).stdout) as Row[]).find((b) => b.identity === NAME);
        return r?.keep ? r : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(row).toMatchObject({ status: "running", live: "running", keep: true });

    const attach = inPty(["attach", NAME]);
    await Bun.sleep(3000);
    attach.p.stdin.write("hello\n");
    attach.p.stdin.flush();
    const timer = setTimeout(() => attach.p.kill(9), 60_000);
    const code = await attach.p.exited;
    clearTimeout(timer);
    await attach.pump;
    expect({ code, saw: attach.output().includes("got:hello") }).toEqual({ code: 7, saw: true });
    const after = (JSON.parse((await cli(["ls", "--json"])).stdout) as Row[]).find((b) => b.identity === NAME);
    expect(after).toMatchObject({ status: "stopped", live: "stopped", keep: true });
    expect((await cli(["rm", NAME])).code).toBe(0);
  }, 900_000);
});
