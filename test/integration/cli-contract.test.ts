// The CLI keeps its word, checked on the COMPILED binary as users get it: each
// broken command line answers with one `error: … — fix` line on stderr and
// the documented exit code, before anything runs; no colour off a terminal;
// a start with no engine fails with its real error first and leaves the row
// `failed`; and docs/cli.md's exit codes and JSON shapes match the binary.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compile } from "../../scripts/build.ts";
import { EXIT } from "../../src/util/exit-codes.ts";

const ROOT = resolve(import.meta.dir, "../..");
const NO_ENGINE = "unix:///nonexistent/docker.sock";

let work: string;
let binary: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "bb-contract-"));
  binary = join(work, "bot-bottle");
  await compile({ outfile: binary, commit: "contract", bytecode: true });
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Out {
  code: number;
  out: string;
  err: string;
  /** stderr lines that are not blank. */
  lines: string[];
}

/** No TTY, stdin closed, a clean environment with this file's own state dirs. */
async function bb(args: string[], env: Record<string, string> = {}): Promise<Out> {
  const home = join(work, "home");
  mkdirSync(home, { recursive: true });
  const p = Bun.spawn(["sh", "-c", 'exec "$@" 0<&-', "sh", binary, ...args], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      XDG_STATE_HOME: join(home, "state"),
      XDG_CONFIG_HOME: join(home, "config"),
      XDG_CACHE_HOME: join(home, "cache"),
      ...env,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => p.kill(9), 60_000);
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(timer);
  return { code, out, err, lines: err.split("\n").filter((l) => l.trim()) };
}

// [argv, exit code, the one stderr line]
const BROKEN: [string[], number, string][] = [
  [["lanch", "demo"], EXIT.USAGE, 'error: unknown command "lanch" — did you mean `bot-bottle launch`?'],
  [["ls", "--jsn"], EXIT.USAGE, "error: `ls` has no flag --jsn — did you mean `--json`?"],
  [["ls", "extra"], EXIT.USAGE, 'error: unexpected argument "extra" for `ls` (it takes no arguments) — `bot-bottle ls --help` shows the usage'],
  [["run", "demo", "--kep", "--", "true"], EXIT.FAILED, "error: `run` has no flag --kep — did you mean `--keep`?"],
  [["run", "demo", "-p"], EXIT.FAILED, "error: -p needs a value — -p TASK"],
  [["launch", "demo", "--", "true"], EXIT.USAGE, "error: `launch` takes no `-- COMMAND` — `bot-bottle launch --help` shows the usage"],
  [["launch"], EXIT.USAGE, "error: missing BOTTLE — usage: bot-bottle launch BOTTLE"],
  [["plan", "dmeo"], EXIT.USAGE, 'error: no bottle "dmeo" in <built-in default manifest> — did you mean `demo`?'],
  [["plan", "demo", "--backend", "dokcer"], EXIT.USAGE, 'error: --backend "dokcer" is not one of docker, smolmachines — did you mean `--backend docker`?'],
  [["supervise", "aprove", "x"], EXIT.USAGE, 'error: unknown supervise command "aprove" — did you mean `bot-bottle supervise approve x`?'],
  [["supervise", "dney"], EXIT.USAGE, 'error: no bottle "dney" — did you mean `bot-bottle supervise deny REQ`?'],
  [["bundle", "prxy"], EXIT.USAGE, 'error: unknown command "prxy" — did you mean `bot-bottle bundle proxy`?'],
  [["completions", "bsh"], EXIT.USAGE, 'error: "bsh" is not a shell `completions` knows — did you mean `bash`?'],
  [["gc", "--imgaes"], EXIT.USAGE, "error: `gc` has no flag --imgaes — did you mean `--images`?"],
  [["exec", "nosuch"], EXIT.FAILED, "error: no command given — bot-bottle exec nosuch -- COMMAND…"],
  [["resume", "nosuch"], EXIT.FAILED, "error: no bottle nosuch — `bot-bottle ls` lists them"],
  [["stop", "nosuch"], EXIT.USAGE, "error: no bottle nosuch — `bot-bottle ls` lists them"],
];

describe("broken command lines: one error line, the documented code, nothing run", () => {
  for (const [argv, code, line] of BROKEN) {
    test(argv.join(" "), async () => {
      const r = await bb(argv);
      expect({ code: r.code, lines: r.lines, out: r.out }).toEqual({ code, lines: [line], out: "" });
    });
  }
});

describe("output", () => {
  test("help piped to a file has no colour (and neither does an error)", async () => {
    for (const args of [["--help"], ["run", "--help"], ["lanch"]]) {
      const r = await bb(args, { TERM: "xterm-256color", FORCE_COLOR: "1" });
      expect(r.out + r.err).not.toContain("\x1b[");
    }
  });
});

describe("no engine", () => {
  test("run fails with the engine's error first and only, and the row ends `failed`, not `creating`", async () => {
    const r = await bb(["run", "demo", "--name", "noengine-1", "--", "true"], { DOCKER_HOST: NO_ENGINE });
    expect(r.code).toBe(EXIT.FAILED);
    const errors = r.lines.filter((l) => /error|warn|cleanup/i.test(l));
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/^error: docker info .*failed.*nonexistent/);
    const ls = await bb(["ls", "--json"], { DOCKER_HOST: NO_ENGINE });
    const row = (JSON.parse(ls.out) as { identity: string; status: string; live: string }[]).find((b) => b.identity === "noengine-1");
    expect(row).toMatchObject({ status: "failed", live: "unknown" });
    // gc cannot ask the engine: the row is unknown and stays.
    const gc = await bb(["gc", "--json"], { DOCKER_HOST: NO_ENGINE });
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.out)).toMatchObject({ deleteRows: [], unknown: ["noengine-1"] });
    expect((await bb(["ls", "--json"], { DOCKER_HOST: NO_ENGINE })).out).toContain('"noengine-1"');
  });
});

describe("docs/cli.md matches the binary", () => {
  const doc = readFileSync(join(ROOT, "docs", "cli.md"), "utf8");
  const section = (title: string) => doc.slice(doc.indexOf(title), doc.indexOf("\n### ", doc.indexOf(title) + title.length) >>> 0);
  const firstJson = (title: string) => JSON.parse(/```json\n([\s\S]*?)```/.exec(section(title))![1]!);

  test("every exit code the CLI uses is documented", () => {
    const codes = section("## Exit codes");
    for (const [name, code] of Object.entries(EXIT)) expect({ name, documented: codes.includes(`| ${code} `) }).toEqual({ name, documented: true });
    for (const sig of ["130", "143", "129"]) expect(codes).toContain(sig);
  });

  test("ls --json has the documented fields, in order", async () => {
    const r = await bb(["ls", "--json", "--all"], { DOCKER_HOST: NO_ENGINE });
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0]!)).toEqual(Object.keys(firstJson("### `ls --json`")[0]));
  });

  test("gc --json has the documented fields, in order", async () => {
    const r = await bb(["gc", "--dry-run", "--json"], { DOCKER_HOST: NO_ENGINE });
    expect(Object.keys(JSON.parse(r.out))).toEqual(Object.keys(firstJson("### `gc --json`")));
  });

  test("validate --json has the documented fields, in order", async () => {
    const r = await bb(["validate", "--json"]);
    expect(Object.keys(JSON.parse(r.out))).toEqual(Object.keys(firstJson("### `validate --json`")));
  });

  test("plan --json has the documented fields, in order (optional ones aside)", async () => {
    const r = await bb(["plan", "demo", "--json"]);
    const documented = Object.keys(firstJson("### `plan BOTTLE --json`"));
    expect(Object.keys(JSON.parse(r.out)).filter((k) => documented.includes(k))).toEqual(documented);
  });
});
