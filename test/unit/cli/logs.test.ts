// `bot-bottle logs` over a recorded bottle and its files: --tail, --since,
// --json, -f until the bottle stops, and agent text made inert.
import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDb, dbPath } from "../../../src/state/db.ts";
import { recordBottle, setStatus } from "../../../src/state/bottles.ts";
import { bottleFiles } from "../../../src/state/bottle-files.ts";
import { testPlan } from "../../helpers/plan.ts";
import { tempDirs } from "../../helpers/tmp.ts";

const tempDir = tempDirs("bb-cli-logs-");
const MAIN = join(import.meta.dir, "../../../src/main.ts");
const ID = "coder-abc123";

async function setup() {
  const dir = tempDir();
  const env = { ...(process.env as Record<string, string>), XDG_STATE_HOME: join(dir, "state"), XDG_CONFIG_HOME: join(dir, "config"), CI: "true", NODE_ENV: "production" };
  const db = openDb(dbPath(env));
  recordBottle(db, await testPlan());
  setStatus(db, ID, "running");
  db.close();
  const files = bottleFiles(ID, env);
  const transcript = files.transcript;
  mkdirSync(join(transcript, ".."), { recursive: true });
  writeFileSync(transcript, "one\ntwo\nthree \x1b]0;pwned\x07\n");
  mkdirSync(files.bundle, { recursive: true });
  const rec = (time: string, host: string) => JSON.stringify({ time, client: "10.0.0.3", method: "CONNECT", host, port: 443, decision: "allow" });
  writeFileSync(files.audit, [rec("2020-01-01T00:00:00.000Z", "old.test"), rec(new Date().toISOString(), "new.test"), "{torn"].join("\n") + "\n");
  const cli = (args: string[]) => Bun.spawn([process.execPath, MAIN, "logs", ID, ...args], { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const done = async (p: ReturnType<typeof cli>) => {
    const [out, err, code] = await Promise.all([new Response(p.stdout as ReadableStream).text(), new Response(p.stderr as ReadableStream).text(), p.exited]);
    return { out, err, code };
  };
  return { env, transcript, audit: files.audit, cli, done, stop: () => {
    const db = openDb(dbPath(env));
    setStatus(db, ID, "stopped");
    db.close();
  } };
}

describe("logs", () => {
  test("the transcript: escapes terminal controls, --tail N, and --since is refused with a fix", async () => {
    const s = await setup();
    expect(await s.done(s.cli([]))).toMatchObject({ code: 0, out: "one\ntwo\nthree \\e]0;pwned\\x07\n" });
    expect(await s.done(s.cli(["--tail", "1"]))).toMatchObject({ code: 0, out: "three \\e]0;pwned\\x07\n" });
    const since = await s.done(s.cli(["--since", "1h"]));
    expect(since.code).toBe(2);
    expect(since.err.trim()).toBe("error: the transcript's lines carry no time, so --since does not apply — use --tail N, or --since with --egress, --git or --bundle");
  });

  test("--egress: --since filters by time, --json stays a document, torn lines skipped", async () => {
    const s = await setup();
    const all = await s.done(s.cli(["--egress", "--json"]));
    expect((JSON.parse(all.out) as { host: string }[]).map((r) => r.host)).toEqual(["old.test", "new.test"]);
    const recent = await s.done(s.cli(["--egress", "--since", "1d"]));
    expect(recent.out).toContain("new.test");
    expect(recent.out).not.toContain("old.test");
    expect((await s.done(s.cli(["--egress", "--tail", "1", "--json"]))).out).not.toContain("old.test");
  });

  test("-f follows the transcript until the bottle stops", async () => {
    const s = await setup();
    const p = s.cli(["-f", "--tail", "0"]);
    await Bun.sleep(800);
    appendFileSync(s.transcript, "four\n");
    await Bun.sleep(800);
    s.stop();
    const r = await s.done(p);
    expect(r).toMatchObject({ code: 0, out: "four\n" });
  });

  test("-f --egress --json prints JSON lines as records arrive", async () => {
    const s = await setup();
    const p = s.cli(["--egress", "-f", "--json", "--since", "1h"]);
    await Bun.sleep(800);
    appendFileSync(s.audit, JSON.stringify({ time: new Date().toISOString(), client: "c", method: "GET", host: "later.test", port: 80, decision: "deny" }) + "\n");
    await Bun.sleep(800);
    s.stop();
    const r = await s.done(p);
    expect(r.out.trim().split("\n").map((l) => (JSON.parse(l) as { host: string }).host)).toEqual(["new.test", "later.test"]);
  });
});
