// Fleets of agents start from scripts all at once. 20 `run` processes started
// at the same moment must all succeed: no subnet races (a small pool makes
// them collide on purpose), no name races, no "database is locked", and an
// image that none of them has yet is built once, not twenty times.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { MAIN } from "../helpers/cli.ts";
import { docker, requireDocker } from "../helpers/docker.ts";
import { buildCaFile, testBaseImage } from "../helpers/images.ts";
import { tempHome, testId } from "../helpers/tmp.ts";
import { overlaps, parseCidr } from "../../src/plan/subnet.ts";
import { stateKey } from "../../src/backends/shared/bundle-sidecar.ts";

const N = 20;
/** 64 blocks for 20 bottles: first choices collide, so the retry path runs. */
const POOL = "10.213.252.0/22";
const dockerOk = await requireDocker("concurrent run");
const home = tempHome("bb-conc-");
const tag = `bot-bottle-test/conc-base:${testId()}`;
const ca = buildCaFile();
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  ...home.env,
  HOME: home.dir,
  CI: "true",
  NO_COLOR: "1",
  BOT_BOTTLE_SUBNET_POOL: POOL,
  // A base tag no image was built from yet: the bundle image is cold for this test only
  // (docker's layer cache keeps the build itself short).
  BOT_BOTTLE_BUNDLE_BASE_IMAGE: tag,
  ...(ca ? { BOT_BOTTLE_BUILD_CA: ca } : {}),
};
const project = join(home.dir, "project");
const built: string[] = [];

beforeAll(async () => {
  if (!dockerOk) return;
  home.write("project/bot-bottle.toml", 'version = 1\n[bottles.box]\nagent = "sh"\ncopy_cwd = false\n');
  home.write("project/agents/sh.md", '+++\nprovider = "shell"\n+++\n');
  await docker(["tag", testBaseImage(), tag]);
});

afterAll(async () => {
  if (dockerOk) {
    // Only what this test made: its bottles (labelled with its state), the image built on its tag, the tag.
    const key = ["--filter", `label=bot-bottle.state=${stateKey(env)}`];
    const mine = (await docker(["ps", "-aq", ...key]).catch(() => "")).split("\n").filter(Boolean);
    if (mine.length) await docker(["rm", "-f", ...mine]).catch(() => "");
    const nets = (await docker(["network", "ls", "-q", ...key]).catch(() => "")).split("\n").filter(Boolean);
    if (nets.length) await docker(["network", "rm", ...nets]).catch(() => "");
    for (const img of built) await docker(["rmi", img]).catch(() => "");
    await docker(["rmi", tag]).catch(() => "");
  }
  home.cleanup();
}, 120_000);

describe.skipIf(!dockerOk)("concurrent launches", () => {
  test(`${N} run invocations started at once all succeed`, async () => {
    const t0 = performance.now();
    const procs = Array.from({ length: N }, (_, i) =>
      Bun.spawn([process.execPath, MAIN, "--debug", "run", "box", "--name", `conc-${i}-${testId().slice(0, 4)}`, "--", "sh", "-c", `echo hello-${i}`], {
        cwd: project,
        env,
        stdout: "pipe",
        stderr: "pipe",
        timeout: 600_000,
      }),
    );
    const results = await Promise.all(
      procs.map(async (p) => ({ code: await p.exited, stdout: await new Response(p.stdout).text(), stderr: await new Response(p.stderr).text() })),
    );
    console.log(`concurrent run: ${N} bottles in ${Math.round(performance.now() - t0)} ms`);

    const failed = results.map((r, i) => ({ i, ...r })).filter((r) => r.code !== 0);
    expect(failed.map((r) => `#${r.i} exit ${r.code}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`)).toEqual([]);
    results.forEach((r, i) => expect(r.stdout).toContain(`hello-${i}\n`));
    // --debug: consola is quiet under a test runner otherwise. Its lines go to stdout, the plan and errors to stderr.
    const all = results.map((r) => r.stdout + r.stderr).join("\n");
    expect(all).not.toMatch(/database is locked|SQLITE_BUSY/i);

    // The cold bundle image: one process built it, the others waited for it.
    const builds = [...all.matchAll(/building image (bot-bottle\/bundle:\S+)/g)].map((m) => m[1]!);
    built.push(...new Set(builds));
    expect(builds.length).toBe(1);
    const retries = all.match(/subnet block \S+ is taken/g)?.length ?? 0;
    const waited = all.match(/waiting for another bot-bottle to finish building/g)?.length ?? 0;
    console.log(`concurrent run: ${retries} subnet retries, ${waited} launches waited for the build`);

    // Every bottle got its own block of the pool, and the two networks of all of them are disjoint.
    const db = new Database(join(env.XDG_STATE_HOME!, "bot-bottle", "state.db"), { readonly: true });
    const nets = (db.query("SELECT plan_json FROM bottles").all() as { plan_json: string }[]).map((r) => JSON.parse(r.plan_json).network);
    db.close();
    expect(nets.length).toBe(N);
    const cidrs = nets.flatMap((n: { cidr: string; egressCidr: string }) => [n.cidr, n.egressCidr]).map((c: string) => parseCidr(c)!);
    for (let a = 0; a < cidrs.length; a++) {
      expect(overlaps(cidrs[a]!, parseCidr(POOL)!)).toBe(true);
      for (let b = a + 1; b < cidrs.length; b++) expect(overlaps(cidrs[a]!, cidrs[b]!)).toBe(false);
    }
  }, 900_000);
});
