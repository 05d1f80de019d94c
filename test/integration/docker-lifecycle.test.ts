// The docker backend end to end, through the CLI as an operator runs it:
// exit codes, network walls, the proxy path to an allowed upstream with
// credential injection, keep/ls/exec/stop/resume/rm, teardown by label,
// failure midway, gc after a crash, and the built-in demo.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stateKey } from "../../src/backends/shared/bundle-sidecar.ts";
import { dockerAnswers, networkGateway } from "../helpers/docker.ts";
import { cliEnv } from "../helpers/tmp.ts";
import { cli as runCli } from "../helpers/cli.ts";
import { writeShellBox } from "../helpers/manifest.ts";

const ROOT = join(import.meta.dir, "../..");
const MAIN = join(ROOT, "src/main.ts");
const BUN = process.execPath;

const dockerOk = dockerAnswers("docker integration tests");

const TMP = mkdtempSync(join(tmpdir(), "bb-docker-it-"));
const CWD = join(TMP, "project");
const EMPTY = join(TMP, "empty");
const ENV = cliEnv(TMP, { UPSTREAM_REAL_TOKEN: "real-upstream-token-0123456789abcdef" });
const KEY = stateKey(ENV);
const RUN_ID = Math.random().toString(36).slice(2, 8);
const id = (s: string) => `it-${s}-${RUN_ID}`;

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

const cli = (args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<Out> =>
  runCli(args, { cwd: opts.cwd ?? CWD, env: ENV, timeoutMs: opts.timeoutMs ?? 240_000 });

function docker(...args: string[]): string {
  const r = Bun.spawnSync(["docker", ...args], { stdout: "pipe", stderr: "pipe" });
  return r.stdout.toString().trim();
}

/** Containers and networks labelled with this identity (and our state). */
function leftovers(identity: string): string[] {
  const f = ["--filter", `label=bot-bottle.identity=${identity}`, "--filter", `label=bot-bottle.state=${KEY}`];
  return [docker("ps", "-a", "-q", ...f), docker("network", "ls", "-q", ...f)].join("\n").split("\n").filter(Boolean);
}

/** `run` returns before its containers are gone (they are removed in the background): wait for that. */
async function gone(identity: string): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  while (leftovers(identity).length && Date.now() < deadline) await Bun.sleep(250);
  return leftovers(identity);
}

let upstream: ReturnType<typeof Bun.serve> | undefined;
const seen: { path: string; auth: string | null }[] = [];

beforeAll(async () => {
  if (!dockerOk) return;
  mkdirSync(CWD, { recursive: true });
  mkdirSync(EMPTY, { recursive: true });
  // A plain-HTTP upstream on the host; the bundle reaches it through the docker bridge gateway.
  upstream = Bun.serve({
    hostname: "0.0.0.0",
    port: 0,
    fetch(req) {
      seen.push({ path: new URL(req.url).pathname, auth: req.headers.get("authorization") });
      return new Response(`hello from upstream ${new URL(req.url).pathname}\n`);
    },
  });
  const gw = await networkGateway("bridge");
  writeShellBox(
    CWD,
    `allow = ["upstream.test"]

[[bottles.box.egress]]
host = "upstream.test"
kind = "bearer"
env = "UPSTREAM_TOKEN"
credential = "\${UPSTREAM_REAL_TOKEN}"
upstream = "http://${gw}:${upstream.port}"

[bottles.broken]
agent = "sh"
image = "bot-bottle-it/does-not-exist:none"
`,
  );
});

afterAll(() => {
  upstream?.stop(true);
  if (dockerOk) {
    // Whatever a failed assertion left behind: everything labelled with this run's state.
    const f = ["--filter", `label=bot-bottle.state=${KEY}`];
    const cs = docker("ps", "-a", "-q", ...f).split("\n").filter(Boolean);
    if (cs.length) docker("rm", "-f", ...cs);
    const ns = docker("network", "ls", "-q", ...f).split("\n").filter(Boolean);
    if (ns.length) docker("network", "rm", ...ns);
  }
  rmSync(TMP, { recursive: true, force: true });
});

describe.skipIf(!dockerOk)("docker backend through the CLI", () => {
  test("run -- cmd returns the command's exit code and leaves nothing behind", async () => {
    const name = id("exit");
    const r = await cli(["run", "box", "--name", name, "--", "sh", "-c", "id -un; echo out; exit 3"], { timeoutMs: 600_000 });
    expect(r.stderr).toContain(`bottle box → ${name}`);
    expect(r.stdout).toContain("node\nout\n");
    expect(r.code).toBe(3);
    expect(await gone(name)).toEqual([]);
  }, 900_000);

  test("walls: proxy path to an allowed host with the real credential injected; direct TCP fails", async () => {
    const name = id("walls");
    const script = [
      'echo "token:$UPSTREAM_TOKEN"',
      "curl -sS -m 20 https://upstream.test/hello",
      // Straight to the host: through docker's bridge and through the internal network's own gateway address.
      `if curl --noproxy '*' -sS -m 3 -o /dev/null http://172.17.0.1:${upstream!.port}/direct; then echo DIRECT-OK; else echo DIRECT-FAILED; fi`,
      // The internal network's gateway is the address just below the bundle's.
      `B=$(echo "$HTTPS_PROXY" | sed -E 's#http://([0-9.]+):.*#\\1#'); GW="\${B%.*}.$(( \${B##*.} - 1 ))"`,
      `if curl --noproxy '*' -sS -m 3 -o /dev/null http://$GW:${upstream!.port}/direct-gw; then echo GW-OK; else echo GW-FAILED; fi`,
      "if curl -sS -m 10 -o /dev/null https://not-allowed.test/; then echo BLOCKED-NOT; else echo BLOCKED-YES; fi",
    ].join("; ");
    const r = await cli(["run", "box", "--name", name, "--", "sh", "-c", script]);
    expect(r.stdout).toContain("hello from upstream /hello");
    expect(r.stdout).toContain("DIRECT-FAILED");
    expect(r.stdout).toContain("GW-FAILED");
    expect(r.stdout).toContain("BLOCKED-YES");
    const token = /token:(\S*)/.exec(r.stdout)?.[1] ?? "";
    expect(token.length).toBeGreaterThan(0);
    expect(token).not.toBe(ENV.UPSTREAM_REAL_TOKEN);
    const hit = seen.find((s) => s.path === "/hello");
    expect(hit?.auth).toBe(`Bearer ${ENV.UPSTREAM_REAL_TOKEN}`);
    expect(seen.some((s) => s.path.startsWith("/direct"))).toBe(false);
    expect(r.code).toBe(0);
    const egress = await cli(["logs", name, "--egress", "--json"]);
    const recs = JSON.parse(egress.stdout) as { host: string; decision: string }[];
    expect(recs.some((x) => x.host === "upstream.test" && x.decision === "allow")).toBe(true);
    expect(recs.some((x) => x.host === "not-allowed.test" && x.decision !== "allow")).toBe(true);
    expect(await gone(name)).toEqual([]);
  }, 300_000);

  test("--keep, ls, resume --detach, exec, stop, rm round trip", async () => {
    const name = id("keep");
    expect((await cli(["run", "box", "--name", name, "--keep", "--", "sh", "-c", "echo kept > /home/node/work/mark"])).code).toBe(0);
    const ls = async () => (JSON.parse((await cli(["ls", "--json"])).stdout) as { identity: string; status: string; live: string; keep: boolean }[]).find((b) => b.identity === name);
    expect(await ls()).toMatchObject({ status: "stopped", live: "stopped", keep: true });

    expect((await cli(["exec", name, "--", "true"])).code).not.toBe(0);
    expect((await cli(["resume", name.slice(0, -2), "--detach"])).code).toBe(0);
    expect(await ls()).toMatchObject({ status: "running", live: "running" });

    const ex = await cli(["exec", name, "--", "sh", "-c", "cat /home/node/work/mark; id -un; stat -c %a /etc/bot-bottle/prompt.md; cat /etc/bot-bottle/prompt.md"]);
    expect(ex.stdout).toBe("kept\nnode\n600\nYou are a test agent.\n");
    expect((await cli(["exec", name, "--", "sh", "-c", "exit 5"])).code).toBe(5);

    // The agent sits on the internal network only; the bundle on both.
    const nets = (c: string) => Object.keys(JSON.parse(docker("inspect", c, "--format", "{{json .NetworkSettings.Networks}}"))).sort();
    expect(nets(`bot-bottle-${name}-agent`)).toEqual([`bot-bottle-${name}-int`]);
    expect(nets(`bot-bottle-${name}-bundle`)).toEqual([`bot-bottle-${name}-egress`, `bot-bottle-${name}-int`]);

    const resumed = await cli(["resume", name, "--", "cat", "/home/node/work/mark"]);
    expect(resumed.stdout).toBe("kept\n");
    expect(await ls()).toMatchObject({ status: "stopped", live: "stopped" });

    expect((await cli(["resume", name, "-d"])).code).toBe(0);
    expect((await cli(["stop", name])).code).toBe(0);
    expect(await ls()).toMatchObject({ status: "stopped", live: "stopped" });

    expect((await cli(["rm", name])).code).toBe(0);
    expect(await ls()).toBeUndefined();
    expect(leftovers(name)).toEqual([]);
    expect(existsSync(join(ENV.XDG_STATE_HOME!, "bot-bottle/bottles", name))).toBe(false);
  }, 300_000);

  test("a failure midway (bogus agent image) leaves nothing behind and is recorded", async () => {
    const name = id("broken");
    const r = await cli(["run", "broken", "--name", name, "--", "true"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("does-not-exist");
    expect(leftovers(name)).toEqual([]);
    const rows = JSON.parse((await cli(["ls", "--json"])).stdout) as { identity: string; status: string }[];
    expect(rows.find((b) => b.identity === name)?.status).toBe("failed");
  }, 300_000);

  test("gc cleans up after a crashed launcher (kill -9 mid-run)", async () => {
    const name = id("crash");
    const p = Bun.spawn([BUN, MAIN, "run", "box", "--name", name, "--", "sleep", "120"], { cwd: CWD, env: ENV, stdout: "ignore", stderr: "ignore" });
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && docker("ps", "-q", "--filter", `name=bot-bottle-${name}-agent`) === "") await Bun.sleep(500);
    await Bun.sleep(500);
    p.kill(9);
    await p.exited;
    expect(leftovers(name).length).toBeGreaterThan(0);
    const gc = await cli(["gc"]);
    expect(gc.code).toBe(0);
    expect(leftovers(name)).toEqual([]);
    const rows = JSON.parse((await cli(["ls", "--json", "--all"])).stdout) as { identity: string }[];
    expect(rows.some((b) => b.identity === name)).toBe(false);
  }, 300_000);

  test("SIGINT mid-run tears everything down and exits 130", async () => {
    const name = id("sigint");
    const p = Bun.spawn([BUN, MAIN, "run", "box", "--name", name, "--", "sleep", "120"], { cwd: CWD, env: ENV, stdout: "ignore", stderr: "pipe" });
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && docker("ps", "-q", "--filter", `name=bot-bottle-${name}-agent`) === "") await Bun.sleep(500);
    await Bun.sleep(1500);
    p.kill("SIGINT");
    const timer = setTimeout(() => p.kill(9), 60_000);
    const code = await p.exited;
    clearTimeout(timer);
    expect(code).toBe(130);
    expect(leftovers(name)).toEqual([]);
    const rows = JSON.parse((await cli(["ls", "--json", "--all"])).stdout) as { identity: string; status: string }[];
    expect(rows.find((b) => b.identity === name)?.status).toBe("removed");
  }, 300_000);

  test("the built-in demo runs and the walls hold", async () => {
    const r = await cli(["run", "demo", "--name", id("demo")], { cwd: EMPTY });
    expect(r.stdout).toContain("== Who am I");
    expect(r.stdout).toContain("uid=1000(node)");
    expect(r.stdout).toContain("github.com is not in the allowlist");
    expect(r.stdout).toContain("The walls held.");
    expect(r.code).toBe(0);
    expect(await gone(id("demo"))).toEqual([]);
  }, 300_000);
});
