import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chownScript, cwdFileList, gitRemotesScript, provisionAgent, provisionScript, startScript, tarArgv, WARN_PREFIX } from "../../../../src/backends/shared/provision.ts";
import { run } from "../../../../src/util/run.ts";
import { testPlan } from "../../../helpers/plan.ts";

const TMP = mkdtempSync(join(tmpdir(), "bb-prov-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const decode = (script: string, path: string) => {
  const line = script.split("\n").find((l) => l.endsWith(`> '${path}'`) || l.endsWith(`> ${path}`))!;
  return Buffer.from(line.split("'")[1]!, "base64").toString("utf8");
};

describe("provisionScript", () => {
  test("CA trust trio and the prompt file (0600, node)", async () => {
    const s = provisionScript(await testPlan(), "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
    expect(decode(s, "/usr/local/share/ca-certificates/bot-bottle.crt")).toContain("BEGIN CERTIFICATE");
    expect(s).toContain("cp /usr/local/share/ca-certificates/bot-bottle.crt /etc/bot-bottle/ca.crt");
    expect(s).toContain("cat /etc/bot-bottle/ca.crt >> /etc/ssl/certs/ca-certificates.crt");
    // The full update only where it has hooks to run; otherwise this certificate's hash link, both in the background.
    expect(s).toContain("ls -A /etc/ca-certificates/update.d");
    expect(s).toContain("(update-ca-certificates >/dev/null 2>&1 &)");
    expect(s).toContain("openssl x509 -hash -noout -in /usr/local/share/ca-certificates/bot-bottle.crt");
    expect((await run(["sh", "-n"], { stdin: s })).code).toBe(0);
    expect(s).toContain("cp /etc/ssl/certs/ca-certificates.crt /etc/bot-bottle/ca-bundle.crt");
    expect(decode(s, "/etc/bot-bottle/prompt.md")).toBe("Be careful.\n");
    expect(s).toContain("chmod 0600 '/etc/bot-bottle/prompt.md'");
    expect(s).toContain("chown node:node '/etc/bot-bottle/prompt.md'");
    expect(s).toContain("mkdir -p '/home/node/work'");
  });

  test("the prompt file exists even when the prompt is empty", async () => {
    const s = provisionScript(await testPlan("bare"), "PEM");
    expect(decode(s, "/etc/bot-bottle/prompt.md")).toBe("");
  });

  test("codex gets AGENTS.md", async () => {
    const s = provisionScript(await testPlan("codex"), "PEM");
    expect(decode(s, "/home/node/.codex/AGENTS.md")).toBe("Be careful.\n");
  });

  test("a shell runs the script cleanly (sh -n)", async () => {
    const s = provisionScript(await testPlan(), "PEM'with quote");
    const r = await run(["sh", "-n"], { stdin: s });
    expect(r.code).toBe(0);
    expect(chownScript(await testPlan())).toBe("set -eu\nchown -R node:node '/home/node'\n");
  });
});

describe("cwd copy", () => {
  test("outside git: everything but node_modules", () => {
    expect(tarArgv("/src")).toEqual(["tar", "-c", "-C", "/src", "--exclude=node_modules", "."]);
    expect(tarArgv("/src", "/l")).toEqual(["tar", "-c", "-C", "/src", "--null", "-T", "/l"]);
  });

  test("in git: .git, tracked and untracked files, but not ignored ones", async () => {
    const repo = join(TMP, "repo");
    mkdirSync(repo);
    await run(["git", "init", "-q", repo]);
    writeFileSync(join(repo, ".gitignore"), ".env\nbuild/\n");
    writeFileSync(join(repo, "a.txt"), "a");
    writeFileSync(join(repo, ".env"), "SECRET=1");
    mkdirSync(join(repo, "build"));
    writeFileSync(join(repo, "build/out"), "x");
    await run(["git", "-C", repo, "add", "a.txt"]);
    const list = await cwdFileList(repo);
    expect(list?.sort()).toEqual([".git", ".gitignore", "a.txt"]);
    expect(await cwdFileList(TMP)).toBeNull();
  });

  test("provisionAgent runs the script, copies skills and the cwd, then fixes ownership", async () => {
    const plan = { ...(await testPlan()), cwd: TMP, agent: { ...(await testPlan()).agent, skills: [{ name: "lint", dir: "/skills/lint" }] } };
    const steps: string[] = [];
    await provisionAgent(
      {
        rootScript: async (s) => void steps.push(s.includes("ca-certificates.crt") ? "setup" : s.includes("chown -R") ? "chown" : `script:${s.trim()}`),
        untar: async (argv, dest) => void steps.push(`untar ${argv.at(-1)} → ${dest}`),
      },
      { plan, caPem: "PEM", scratchDir: TMP },
    );
    expect(steps).toEqual([
      "setup",
      "script:mkdir -p '/home/node/.claude/skills/lint'",
      "untar . → /home/node/.claude/skills/lint",
      "untar . → /home/node/work",
      "chown",
    ]);
  });
});

describe("provisioning exec count", () => {
  test("nothing to copy and no git: one root script does it all (CA, files, ownership)", async () => {
    const plan = { ...(await testPlan("shell")), copyCwd: false };
    const scripts: string[] = [];
    await provisionAgent({ rootScript: async (s) => void scripts.push(s), untar: async () => {} }, { plan, caPem: "PEM", scratchDir: TMP });
    expect(scripts.length).toBe(1);
    expect(scripts[0]).toContain("ca-certificates.crt");
    expect(scripts[0]).toContain("chown -R");
    expect((await run(["sh", "-n"], { stdin: scripts[0]! })).code).toBe(0);
  });

  test("git remotes wait for the bundle (the gate serves the clone); everything before does not", async () => {
    const plan = { ...(await testPlan("git")), copyCwd: false };
    const scripts: string[] = [];
    let ready!: () => void;
    const bundleReady = new Promise<void>((r) => (ready = r));
    const done = provisionAgent({ rootScript: async (s) => void scripts.push(s), untar: async () => {} }, { plan, caPem: "PEM", scratchDir: TMP, bundleReady });
    await Bun.sleep(20);
    expect(scripts).toEqual([]);
    ready();
    await done;
    expect(scripts.length).toBe(1);
    // A failed clone must stay a warning: -e is off around the git lines, back on for chown.
    expect(scripts[0]!.indexOf("set +e")).toBeLessThan(scripts[0]!.indexOf("git clone"));
    expect(scripts[0]!.lastIndexOf("set -eu")).toBeGreaterThan(scripts[0]!.indexOf("git clone"));
    expect((await run(["sh", "-n"], { stdin: scripts[0]! })).code).toBe(0);
  });
});

describe("git remotes", () => {
  test("clone from the gate, or re-point an existing repo; a failed clone only warns", async () => {
    const plan = await testPlan("git");
    const s = gitRemotesScript(plan);
    const url = `git://${plan.network.bundleIp}:9418/origin.git`;
    expect(s).toContain(`if [ -e '/home/node/work/.git' ]; then git -C '/home/node/work' remote remove 'origin'`);
    expect(s).toContain(`remote add 'origin' '${url}'`);
    expect(s).toContain(`git clone --quiet --origin 'origin' '${url}' '/home/node/work'`);
    expect(s).toContain(`echo '${WARN_PREFIX}could not clone origin`);
    expect((await run(["sh", "-n"], { stdin: s })).code).toBe(0);
  });

  test("provisionAgent runs it only when the bottle has git remotes", async () => {
    const scripts: string[] = [];
    const io = { rootScript: async (s: string) => void scripts.push(s), untar: async () => {} };
    await provisionAgent(io, { plan: await testPlan("git"), caPem: "PEM", scratchDir: TMP });
    expect(scripts.some((s) => s.includes("git clone"))).toBe(true);
    scripts.length = 0;
    await provisionAgent(io, { plan: await testPlan("shell"), caPem: "PEM", scratchDir: TMP });
    expect(scripts.some((s) => s.includes("git clone"))).toBe(false);
  });
});

describe("git identity for the agent's commits", () => {
  test("copy_cwd bottles get one (unless the image has a .gitconfig); the script stays valid sh", async () => {
    const s = provisionScript(await testPlan(), "PEM");
    expect(s).toContain("if [ ! -e '/home/node/.gitconfig' ]; then printf '[user]\\n\\tname = bot-bottle agent\\n\\temail = coder-abc123@bot-bottle.invalid\\n'");
    expect((await run(["sh", "-n"], { stdin: s })).code).toBe(0);
  });
});

describe("provisioning at the container's start", () => {
  test("startScript: the whole job when nothing is copied or cloned; then nothing is left to exec", async () => {
    const plan = { ...(await testPlan("shell")), copyCwd: false };
    const s = startScript(plan, "PEM");
    expect(s).toContain("ca-certificates.crt");
    expect(s).toContain("chown -R");
    expect((await run(["sh", "-n"], { stdin: s })).code).toBe(0);
    const scripts: string[] = [];
    await provisionAgent({ rootScript: async (x) => void scripts.push(x), untar: async () => {} }, { plan, caPem: "PEM", scratchDir: TMP, ranAtStart: true });
    expect(scripts).toEqual([]);
  });

  test("with copies: the start script leaves ownership to the exec after the copies, and is not run twice", async () => {
    const plan = { ...(await testPlan()), cwd: TMP, copyCwd: true };
    expect(startScript(plan, "PEM")).not.toContain("chown -R");
    const steps: string[] = [];
    await provisionAgent(
      { rootScript: async (s) => void steps.push(s.includes("ca-certificates.crt") ? "setup" : s.includes("chown -R") ? "chown" : s), untar: async (_a, dest) => void steps.push(`untar → ${dest}`) },
      { plan, caPem: "PEM", scratchDir: TMP, ranAtStart: true },
    );
    expect(steps).toEqual(["untar → /home/node/work", "chown"]);
  });

  test("with git: the clone still waits for the bundle, without the root script again", async () => {
    const plan = { ...(await testPlan("git")), copyCwd: false };
    expect(startScript(plan, "PEM")).not.toContain("chown -R");
    const scripts: string[] = [];
    let ready!: () => void;
    const bundleReady = new Promise<void>((r) => (ready = r));
    const done = provisionAgent({ rootScript: async (s) => void scripts.push(s), untar: async () => {} }, { plan, caPem: "PEM", scratchDir: TMP, bundleReady, ranAtStart: true });
    await Bun.sleep(20);
    expect(scripts).toEqual([]);
    ready();
    await done;
    expect(scripts.length).toBe(1);
    expect(scripts[0]).toContain("git clone");
    expect(scripts[0]).not.toContain("ca-certificates.crt");
    expect((await run(["sh", "-n"], { stdin: scripts[0]! })).code).toBe(0);
  });
});
