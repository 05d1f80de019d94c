// The error contract, end to end: every malformed manifest makes
// `bot-bottle validate -m FILE` exit 2 with ONE line on stderr that names the
// file, the line (when known) and the key, and says what to do. No stack.
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BAD_MANIFESTS } from "../../fixtures/manifests/cases.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tempDir = tempDirs("bb-cli-init-");

const MAIN = join(import.meta.dir, "../../../src/main.ts");
const FIXTURES = join(import.meta.dir, "../../fixtures/manifests");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of an operator's shell: not a test runner, not CI (consola formats by both). */
function operatorEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !["NODE_ENV", "TEST", "CI", "BUN_ENV"].includes(k)) env[k] = v;
  return { ...env, ...extra };
}

async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const p = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: opts.cwd ?? FIXTURES,
    env: opts.env ?? operatorEnv(),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
const nonEmptyLines = (s: string) => stripAnsi(s).split("\n").filter((l) => l.trim() !== "");

// Spawn every case at once: one process start each, in parallel.
const results = new Map<string, CliResult>();
const ciResults = new Map<string, CliResult>();
beforeAll(async () => {
  await Promise.all(
    BAD_MANIFESTS.flatMap((c) => [
      cli(["validate", "-m", c.manifest]).then((r) => results.set(c.manifest, r)),
      cli(["validate", "-m", c.manifest], { env: operatorEnv({ CI: "true" }) }).then((r) => ciResults.set(c.manifest, r)),
    ]),
  );
  // ~30 process starts: seconds on a busy 2-core machine, more than a hook's default 5 s.
}, 90_000);

describe("validate: malformed manifests", () => {
  test.each(BAD_MANIFESTS.map((c) => [c.manifest, c] as const))("%s → exit 2, one actionable line", (_name, c) => {
    for (const r of [results.get(c.manifest)!, ciResults.get(c.manifest)!]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      const lines = nonEmptyLines(r.stderr);
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      const where = join(FIXTURES, c.file) + (c.line ? `:${c.line}:` : ":");
      expect(line).toContain(where);
      if (c.key) expect(line).toContain(` ${c.key}: `);
      expect(line).toContain(c.mentions);
      // A hint follows the message.
      expect(line).toContain(" — ");
      expect(line).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });
});

describe("validate: other outcomes", () => {
  test("a manifest path that does not exist: exit 2, one line with the path and how to make one", async () => {
    const r = await cli(["validate", "-m", "does-not-exist.toml"]);
    expect(r.code).toBe(2);
    const lines = nonEmptyLines(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(FIXTURES, "does-not-exist.toml"));
    expect(lines[0]).toContain("bot-bottle init");
  });

  test("the valid fixture: exit 0 and a JSON summary", async () => {
    const r = await cli(["validate", "-m", "valid.toml", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      manifest: join(FIXTURES, "valid.toml"),
      bottles: { dev: { agent: "dev", provider: "claude" }, sh: { agent: "dev", provider: "shell" } },
      agents: ["dev"],
    });
  });

  test("init writes a manifest that validate accepts; a second init refuses without --force", async () => {
    const dir = tempDir();
    const init = await cli(["init"], { cwd: dir });
    expect(init.code).toBe(0);
    const ok = await cli(["validate"], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(stripAnsi(ok.stdout)).toContain("1 bottle(s), 1 agent(s) — valid");
    const again = await cli(["init"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(nonEmptyLines(again.stderr)).toHaveLength(1);
    expect(again.stderr).toContain("--force");
  });
});
