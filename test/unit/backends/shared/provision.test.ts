import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chownScript, cwdFileList, gitRemotesScript, provisionAgent, provisionScript, startScript, tarArgv, WARN_PREFIX } from "../../../../src/backends/shared/provision.ts";
import { run } from "../../../../src/util/run.ts";
import { testPlan } from "../../../helpers/plan.ts";
import { providerSpec } from "../../../../src/providers/index.ts";

const TMP = mkdtempSync(join(tmpdir(), "bb-prov-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** What the script writes to `path` (a printf of a quoted word, or base64 for text with a NUL). */
const decode = (script: string, path: string) => {
  const at = script.indexOf(`printf '%s' '`);
  for (let i = at; i !== -1; i = script.indexOf(`printf '%s' '`, i + 1)) {
    const m = /^printf '%s' '((?:[^']|'\\'')*)' > '([^']*)'/.exec(script.slice(i));
    if (m && m[2] === path) return m[1]!.replaceAll(`'\\''`, "'");
  }
  const line = script.split("\n").find((l) => l.endsWith(`> '${path}'`))!;
  return Buffer.from(line.split("'")[1]!, "base64").toString("utf8");
};

/** Run a provisioning script for real with its system paths moved under `root` (chown → a no-op: no node user here). */
async function runUnder(root: string, script: string): Promise<{ code: number; stderr: string }> {
  let moved = script;
  for (const p of ["/etc/bot-bottle", "/usr/local/share/ca-certificates", "/etc/ssl/certs", "/etc/ca-certificates", "/home/node"]) moved = moved.replaceAll(p, root + p);
  moved = moved.replace(/^chown /gm, "true ");
  mkdirSync(join(root, "etc/ssl/certs"), { recursive: true });
  writeFileSync(join(root, "etc/ssl/certs/ca-certificates.crt"), "SYSTEM ROOTS\n");
  const r = await run(["sh", "-c", moved]);
  return { code: r.code, stderr: r.stderr };
}

describe("provisionScript", () => {
  test("CA trust trio and the prompt file (0600, node)", async () => {
    const s = provisionScript(await testPlan(), "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
    expect(decode(s, "/usr/local/share/ca-certificates/bot-bottle.crt")).toContain("BEGIN CERTIFICATE");
    expect(decode(s, "/etc/bot-bottle/ca.crt")).toContain("BEGIN CERTIFICATE");
    expect(s).toContain("-----END CERTIFICATE-----\n' >> '/etc/ssl/certs/ca-certificates.crt'");
    // The full update only where it has hooks to run; otherwise this certificate's hash link, both in the background.
    expect(s).toContain("for f in /etc/ca-certificates/update.d/*");
    expect(s).toContain("(update-ca-certificates >/dev/null 2>&1 &)");
    expect(s).toContain("openssl x509 -hash -noout -in /usr/local/share/ca-certificates/bot-bottle.crt");
    expect((await run(["sh", "-n"], { stdin: s })).code).toBe(0);
    expect(s).toContain("cp /etc/ssl/certs/ca-certificates.crt /etc/bot-bottle/ca-bundle.crt");
    expect(decode(s, "/etc/bot-bottle/prompt.md")).toBe("Be careful.\n");
    expect(s).toContain("chmod 0600 '/etc/bot-bottle/prompt.md'");
    expect(s).toContain("chown node:node '/etc/bot-bottle/prompt.md'");
    expect(s).toMatch(/^mkdir -p .*'\/home\/node\/work'$/m);
  });

  test("run for real: every byte of every file arrives (quotes, backslashes, %, newlines, unicode, a NUL), modes, the CA appended", async () => {
    const root = mkdtempSync(join(TMP, "root-"));
    const tricky = "it's 100% \\n not a newline; $(reboot) `x` \"q\" ünï ‮\n\ttab\n";
    const plan = await testPlan("codex");
    const s = provisionScript({ ...plan, agent: { ...plan.agent, prompt: tricky } }, "-----BEGIN CERTIFICATE-----\nX'Y\n-----END CERTIFICATE-----\n");
    const r = await runUnder(root, s);
    expect(r).toEqual({ code: 0, stderr: "" });
    const read = (p: string) => readFileSync(join(root, p), "utf8");
    expect(read("etc/bot-bottle/prompt.md")).toBe(tricky + "\n");
    // (runUnder moved the paths inside the files' text too: config.toml names the workdir.)
    for (const f of providerSpec("codex").files({ ...plan, agent: { ...plan.agent, prompt: tricky } })) expect(read(f.path.slice(1))).toBe(f.content.replaceAll("/home/node", root + "/home/node"));
    expect(read("etc/bot-bottle/ca.crt")).toBe("-----BEGIN CERTIFICATE-----\nX'Y\n-----END CERTIFICATE-----\n");
    expect(read("etc/ssl/certs/ca-certificates.crt")).toBe("SYSTEM ROOTS\n-----BEGIN CERTIFICATE-----\nX'Y\n-----END CERTIFICATE-----\n");
    expect(read("etc/bot-bottle/ca-bundle.crt")).toBe(read("etc/ssl/certs/ca-certificates.crt"));
    expect(statSync(join(root, "etc/bot-bottle/prompt.md")).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, "etc/bot-bottle/ca.crt")).mode & 0o777).toBe(0o644);
    expect(statSync(join(root, "home/node/work")).isDirectory()).toBe(true);
    const nul = provisionScript({ ...plan, agent: { ...plan.agent, prompt: "a\0b" } }, "PEM");
    expect(nul).toContain("| base64 -d > '/etc/bot-bottle/prompt.md'");
    const root2 = mkdtempSync(join(TMP, "root-"));
    expect((await runUnder(root2, nul)).code).toBe(0);
    expect(readFileSync(join(root2, "etc/bot-bottle/prompt.md"))).toEqual(Buffer.from("a\0b\n"));
  });

  test("few processes whatever the number of files: one mkdir, one chmod per mode, one chown per owner", async () => {
    const s = provisionScript(await testPlan("codex"), "PEM");
    expect(s.match(/^mkdir /gm)?.length).toBe(1);
    expect(s.match(/^chown /gm)?.length).toBe(1);
    expect(s.match(/base64 -d/g)).toBeNull();
    expect(s.match(/^cp /gm)?.length).toBe(1);
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
