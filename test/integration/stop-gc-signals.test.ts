// Promises the lifecycle keeps on the real docker engine: `stop` on a running
// launch (made without --keep) keeps it and the launcher says so with its own
// exit code; `resume` reopens it; `gc` and `ls` with the engine address broken
// call the bottle unknown and delete nothing; Ctrl-C in the middle of an image
// build exits 130 and leaves no build container or dangling layer behind.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stateKey } from "../../src/backends/shared/bundle-sidecar.ts";
import { EXIT } from "../../src/util/exit-codes.ts";
import { cacheDir } from "../../src/util/paths.ts";
import { dockerAnswers } from "../helpers/docker.ts";
import { cliEnv, testId } from "../helpers/tmp.ts";
import { cli as runCli, MAIN } from "../helpers/cli.ts";
import { pollUntil } from "../helpers/poll.ts";
import { SH_AGENT, writeProject } from "../helpers/manifest.ts";
import { testBaseImage } from "../helpers/images.ts";

const dockerOk = dockerAnswers("stop/gc/signal integration tests");
const TMP = mkdtempSync(join(tmpdir(), "bb-stopgc-"));
const CWD = join(TMP, "project");
const ENV = cliEnv(TMP);
const KEY = stateKey(ENV);
const RUN = testId();
const NO_ENGINE = "unix:///nonexistent/docker.sock";
const FRESH_BASE = `bot-bottle-test/fresh-base:${RUN}`;

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: CWD, env: { ...ENV, ...env }, timeoutMs: 600_000 });

function docker(...args: string[]): { code: number; out: string } {
  const r = Bun.spawnSync(["docker", ...args], { stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString().trim() };
}

type LsRow = { identity: string; status: string; live: string; keep: boolean };
const ls = async (env: Record<string, string> = {}) => JSON.parse((await cli(["ls", "--json"], env)).stdout) as LsRow[];

beforeAll(() => {
  if (!dockerOk) return;
  writeProject(CWD, {
    agents: { sh: SH_AGENT },
    manifest: `version = 1
[bottles.box]
agent = "sh"

# A base image nobody built an agent image from: its build starts from scratch.
[bottles.fresh]
agent = "sh"
base_image = "${FRESH_BASE}"
`,
  });
});

afterAll(() => {
  if (dockerOk) {
    const f = ["--filter", `label=bot-bottle.state=${KEY}`];
    const cs = docker("ps", "-a", "-q", ...f).out.split("\n").filter(Boolean);
    if (cs.length) docker("rm", "-f", ...cs);
    const ns = docker("network", "ls", "-q", ...f).out.split("\n").filter(Boolean);
    if (ns.length) docker("network", "rm", ...ns);
    docker("image", "rm", FRESH_BASE);
  }
  rmSync(TMP, { recursive: true, force: true });
});

describe.skipIf(!dockerOk)("stop, gc and signals on the real engine", () => {
  test("stop keeps a launch made without --keep; the launcher exits 124 and says why; resume works; gc with no engine deletes nothing", async () => {
    const name = `stop-${RUN}`;
    const launcher = Bun.spawn([process.execPath, MAIN, "run", "box", "--name", name, "--", "sleep", "600"], {
      cwd: CWD,
      // bun test sets NODE_ENV=test, which makes consola hide notes; the operator sees them.
      env: { ...ENV, NODE_ENV: "production" },
      stdout: "ignore",
      stderr: "pipe",
    });
    const stderr = new Response(launcher.stderr).text();
    await pollUntil("the bottle to run", async () => ((await ls()).find((b) => b.identity === name)?.status === "running" ? true : undefined), {
      timeoutMs: 480_000,
      intervalMs: 1000,
      stop: () => launcher.exitCode !== null,
    });
    const stop = await cli(["stop", name]);
    expect(stop.code).toBe(0);
    const timer = setTimeout(() => launcher.kill(9), 120_000);
    const code = await launcher.exited;
    clearTimeout(timer);
    expect(code).toBe(EXIT.STOPPED);
    expect(await stderr).toContain("stopped by `bot-bottle stop`");
    expect((await ls()).find((b) => b.identity === name)).toMatchObject({ status: "stopped", live: "stopped", keep: true });

    const resumed = await cli(["resume", name, "--", "sh", "-c", "hostname; exit 4"]);
    expect(resumed.stdout).toBe(`${name}\n`);
    expect(resumed.code).toBe(4);
    // The reserved codes of a command that cannot run, as documented.
    expect((await cli(["resume", name, "-d"])).code).toBe(0);
    expect((await cli(["exec", name, "--", "no-such-command"])).code).toBe(127);
    expect((await cli(["exec", name, "--", "/etc/passwd"])).code).toBe(126);
    expect((await cli(["stop", name])).code).toBe(0);

    // The engine address broken: unknown, never gone.
    const folder = join(ENV.XDG_STATE_HOME!, "bot-bottle", "bottles", name);
    expect(existsSync(folder)).toBe(true);
    expect((await ls({ DOCKER_HOST: NO_ENGINE })).find((b) => b.identity === name)).toMatchObject({ live: "unknown" });
    const gc = await cli(["gc", "--json"], { DOCKER_HOST: NO_ENGINE });
    expect(gc.code).toBe(0);
    const plan = JSON.parse(gc.stdout) as { removeResources: string[]; deleteRows: string[]; unknown: string[] };
    expect(plan.deleteRows).toEqual([]);
    expect(plan.unknown).toContain(name);
    expect(existsSync(folder)).toBe(true);
    expect(docker("ps", "-a", "-q", "--filter", `label=bot-bottle.identity=${name}`).out.split("\n").filter(Boolean).length).toBe(2);
    // The engine back: a kept bottle is still kept.
    expect(JSON.parse((await cli(["gc", "--json"])).stdout).deleteRows).not.toContain(name);

    expect((await cli(["rm", name])).code).toBe(0);
    expect(existsSync(folder)).toBe(false);
  }, 900_000);

  test("Ctrl-C mid image build: exit 130, no build container, no dangling layer, no bottle", async () => {
    // A base image of our own (one LABEL on the shared base), so the agent image build cannot come from cache.
    const ctx = mkdtempSync(join(tmpdir(), "bb-fresh-"));
    writeFileSync(join(ctx, "Dockerfile"), `FROM ${testBaseImage()}\nLABEL bot-bottle-test.run=${RUN}\n`);
    expect(docker("build", "-q", "-t", FRESH_BASE, ctx).code).toBe(0);
    rmSync(ctx, { recursive: true, force: true });

    const name = `sigbuild-${RUN}`;
    const p = Bun.spawn([process.execPath, MAIN, "--debug", "run", "fresh", "--name", name, "--", "true"], {
      cwd: CWD,
      env: ENV,
      stdout: "ignore",
      stderr: "pipe",
    });
    let err = "";
    const pump = (async () => {
      for await (const chunk of p.stderr as ReadableStream<Uint8Array>) err += new TextDecoder().decode(chunk);
    })();
    // Mid-build: after the agent image's first step committed, while a later step runs.
    await pollUntil("the agent image build to be mid-way", async () => (/---> Running in [0-9a-f]{12}/.test(err.slice(err.indexOf(FRESH_BASE))) ? true : undefined), {
      timeoutMs: 480_000,
      intervalMs: 100,
      stop: () => p.exitCode !== null,
    });
    p.kill("SIGINT");
    const timer = setTimeout(() => p.kill(9), 120_000);
    const code = await p.exited;
    clearTimeout(timer);
    await pump;
    expect({ code, tail: code === 130 ? "" : err.slice(-2000) }).toEqual({ code: 130, tail: "" });

    const built = err.slice(err.indexOf(FRESH_BASE));
    const containers = [...built.matchAll(/---> Running in ([0-9a-f]{12,64})/g)].map((m) => m[1]!);
    const images = [...built.matchAll(/^\s*---> ([0-9a-f]{12,64})\s*$/gm)].map((m) => m[1]!).filter((id) => id !== docker("image", "inspect", "-f", "{{.Id}}", FRESH_BASE).out.slice(7, 19));
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) expect({ c, exists: docker("container", "inspect", c).code === 0 }).toEqual({ c, exists: false });
    for (const i of images) expect({ i, exists: docker("image", "inspect", i).code === 0 }).toEqual({ i, exists: false });
    expect(docker("ps", "-a", "-q", "--filter", `label=bot-bottle.identity=${name}`).out).toBe("");
    // The cleanup finished (nothing left for `gc --images`), and it never touched the tagged base.
    const journal = join(cacheDir(ENV), "build-journal");
    expect(existsSync(journal) ? readdirSync(journal) : []).toEqual([]);
    expect(docker("image", "inspect", FRESH_BASE).code).toBe(0);
    expect((await cli(["ls", "--json", "--all"])).stdout).not.toContain('"creating"');
  }, 900_000);
});
