// The pack pipeline against the fake smolvm and fake crane (a real loopback
// registry process), with docker's two calls (image inspect, save) faked in
// the Runner so this runs without an engine.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePackedArtifact } from "../../../../src/backends/smolmachines/pack.ts";
import { Smolvm } from "../../../../src/backends/smolmachines/smolvm.ts";
import { run, type Runner } from "../../../../src/util/run.ts";
import { craneCalls, fakeSmolvmEnv, smolvmCalls, verbOf, removeTempDirs, tempDir } from "../../../fakes/smolvm-lib/testing.ts";

afterAll(removeTempDirs);

const HEX = "5e".repeat(32);

function setup(extra: Record<string, string> = {}, imageHex = HEX) {
  const fake = fakeSmolvmEnv(extra);
  const env = { ...process.env, ...fake.env } as Record<string, string>;
  const cache = tempDir("pack-cache-");
  const dockerCalls: string[][] = [];
  const runner: Runner = async (argv, opts = {}) => {
    if (argv[0] === "docker") {
      dockerCalls.push(argv);
      if (argv[1] === "image" && argv[2] === "inspect") {
        const img = argv[argv.length - 1];
        return img === "agent:test" ? { argv, code: 0, stdout: `sha256:${imageHex}\n`, stderr: "" } : { argv, code: 1, stdout: "", stderr: `Error: No such image: ${img}` };
      }
      if (argv[1] === "save") {
        // A docker-save-shaped tarball: manifest.json naming the config blob.
        const dir = tempDir("save-");
        writeFileSync(join(dir, "manifest.json"), JSON.stringify([{ Config: `${imageHex}.json`, RepoTags: ["agent:test"], Layers: ["l1/layer.tar", "l2/layer.tar"] }]));
        return run(["tar", "-cf", argv[3]!, "-C", dir, "manifest.json"]);
      }
      return { argv, code: 1, stdout: "", stderr: "unexpected docker call" };
    }
    return run(argv, { ...opts, env: { ...env, ...opts.env } });
  };
  const smolvm = new Smolvm({ runner });
  const deps = { smolvm, runner, registryImage: "registry:2", cacheDir: cache, env, lock: { pollMs: 20 } };
  return { fake, env, cache, dockerCalls, runner, deps };
}

describe("ensurePackedArtifact", () => {
  test("miss: save → registry → crane push → pack create → committed artifact; then a hit skips it all", async () => {
    const s = setup();
    const first = await ensurePackedArtifact("agent:test", s.deps);
    expect(first.hit).toBe(false);
    expect(first.artifact).toBe(join(s.cache, `p1-smolvm0.8.2-${HEX}.smolmachine.smolmachine`));
    expect(JSON.parse(readFileSync(first.artifact, "utf8"))).toMatchObject({ imageId: `sha256:${HEX}`, layers: 2 });
    // Only the committed launcher + artifact (and the registry log) are left: no tarball, no temps, no lock.
    expect(readdirSync(s.cache).sort()).toEqual(["crane-registry.log", `p1-smolvm0.8.2-${HEX}.smolmachine`, `p1-smolvm0.8.2-${HEX}.smolmachine.smolmachine`]);

    const crane = craneCalls(s.fake.stateDir).map((c) => (c.argv[0] === "registry" ? "registry serve" : c.argv[0]));
    expect(crane).toEqual(["registry serve", "push"]);
    const serve = craneCalls(s.fake.stateDir)[0]!.argv;
    expect(serve[3]).toMatch(/^127\.0\.0\.1:\d+$/);
    const push = craneCalls(s.fake.stateDir)[1]!.argv;
    const port = serve[3]!.split(":")[1];
    expect(push[2]).toBe(`localhost:${port}/bot-bottle/agent:p1-smolvm0.8.2-${HEX}`);
    const packs = smolvmCalls(s.fake.stateDir).filter((c) => verbOf(c.argv) === "pack create");
    expect(packs.map((c) => c.argv.slice(0, 4))).toEqual([["pack", "create", "--image", push[2]!]]);
    // The registry is torn down after the pack.
    await expect(fetch(`http://127.0.0.1:${port}/v2/`)).rejects.toThrow();

    const second = await ensurePackedArtifact("agent:test", s.deps);
    expect(second).toMatchObject({ hit: true, artifact: first.artifact });
    expect(craneCalls(s.fake.stateDir)).toHaveLength(2);
    expect(smolvmCalls(s.fake.stateDir).filter((c) => verbOf(c.argv) === "pack create")).toHaveLength(1);
    expect(s.dockerCalls.filter((a) => a[1] === "save")).toHaveLength(1);
  });

  test("a failed pack leaves no artifact, no half file and no registry; the next launch packs again", async () => {
    const s = setup({ FAKE_SMOLVM_PACK_FAIL: "1" });
    await expect(ensurePackedArtifact("agent:test", s.deps)).rejects.toThrow("No space left on device");
    expect(readdirSync(s.cache).filter((f) => f !== "crane-registry.log")).toEqual([]);
    const port = craneCalls(s.fake.stateDir)[0]!.argv[3]!.split(":")[1];
    await expect(fetch(`http://127.0.0.1:${port}/v2/`)).rejects.toThrow();
    const fixed = withEnv(s.runner, { FAKE_SMOLVM_PACK_FAIL: "0" });
    const again = await ensurePackedArtifact("agent:test", { ...s.deps, runner: fixed, smolvm: new Smolvm({ runner: fixed }) });
    expect(again.hit).toBe(false);
    expect(existsSync(again.artifact)).toBe(true);
  });

  test("two concurrent launches of one image pack once", async () => {
    const s = setup({ FAKE_SMOLVM_PACK_DELAY_MS: "400" });
    const [a, b] = await Promise.all([ensurePackedArtifact("agent:test", s.deps), ensurePackedArtifact("agent:test", s.deps)]);
    expect([a.hit, b.hit].sort()).toEqual([false, true]);
    expect(a.artifact).toBe(b.artifact);
    expect(smolvmCalls(s.fake.stateDir).filter((c) => verbOf(c.argv) === "pack create")).toHaveLength(1);
  });

  test("no registry image and no crane: a clear error, nothing left behind", async () => {
    const s = setup({ BOT_BOTTLE_CRANE: "/nonexistent/crane" });
    await expect(ensurePackedArtifact("agent:test", s.deps)).rejects.toThrow("crane is not installed");
    expect(readdirSync(s.cache)).toEqual([]);
  });

  test("an image the engine does not have", async () => {
    const s = setup();
    await expect(ensurePackedArtifact("missing:img", s.deps)).rejects.toThrow("not present");
  });
});

function withEnv(r: Runner, extra: Record<string, string>): Runner {
  return (argv, opts = {}) => r(argv, { ...opts, env: { ...opts.env, ...extra } });
}
