import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson, GENESIS, recordHash } from "../../../../src/bundle/audit-chain/canonical.ts";
import { ensureAuditKey } from "../../../../src/bundle/audit-chain/key.ts";
import { readChain, verifyBottleChain } from "../../../../src/bundle/audit-chain/read.ts";
import { CHAIN_FILES, ChainWriter, appendOnce } from "../../../../src/bundle/audit-chain/writer.ts";

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), "bb-chain-"));
  dirs.push(d);
  ensureAuditKey(join(d, CHAIN_FILES.key), "box-abc123");
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function chainOf(n: number, checkpointEvery = 1000): Promise<string> {
  const d = freshDir();
  const w = new ChainWriter(join(d, CHAIN_FILES.chain), { periodic: false, checkpointEvery });
  for (let i = 0; i < n; i++) w.append("egress", "proxy", { host: `h${i}.example`, decision: i % 2 ? "allow" : "deny" });
  await w.close();
  return d;
}

const chainFile = (d: string) => join(d, CHAIN_FILES.chain);
const lines = (d: string) => readFileSync(chainFile(d), "utf8").split("\n").filter(Boolean);
const writeLines = (d: string, ls: string[]) => writeFileSync(chainFile(d), ls.map((l) => l + "\n").join(""));

describe("canonical JSON", () => {
  test("sorts keys at every depth, drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(recordHash({ a: 1, b: 2 })).toBe(recordHash({ b: 2, a: 1 }));
  });
});

describe("audit chain", () => {
  test("links each record to the one before and signs the head on close", async () => {
    const d = await chainOf(5);
    const recs = readChain(d);
    expect(recs.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(recs[0]!.prev).toBe(GENESIS);
    expect(recs[1]!.prev).toBe(recordHash(recs[0]));
    expect(recs.at(-1)!.kind).toBe("checkpoint");
    const res = await verifyBottleChain(d);
    expect(res).toMatchObject({ ok: true, records: 6, checkpoints: 1, unsigned: 1 });
  });

  test("two writers on one file (the bundle and the host) keep one chain", async () => {
    const d = freshDir();
    const a = new ChainWriter(chainFile(d), { periodic: false });
    a.append("egress", "proxy", { n: 1 });
    await appendOnce(chainFile(d), "lifecycle", "host", { event: "stop" });
    a.append("egress", "proxy", { n: 2 });
    await a.close();
    expect(readChain(d).map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    expect((await verifyBottleChain(d)).ok).toBe(true);
  });

  test("a modified line is reported at its position", async () => {
    const d = await chainOf(6);
    const ls = lines(d);
    ls[2] = ls[2]!.replace('"deny"', '"allow"');
    writeLines(d, ls);
    const res = await verifyBottleChain(d);
    expect(res.ok).toBe(false);
    expect(res.problems[0]).toMatchObject({ line: 3 });
    expect(res.problems[0]!.message).toContain("modified");
  });

  test("a dropped line is reported where the gap is", async () => {
    const d = await chainOf(6);
    const ls = lines(d);
    ls.splice(3, 1);
    writeLines(d, ls);
    const res = await verifyBottleChain(d);
    expect(res.problems[0]).toMatchObject({ line: 4 });
    expect(res.problems[0]!.message).toContain("missing");
  });

  test("reordered lines are reported at the first one out of place", async () => {
    const d = await chainOf(6);
    const ls = lines(d);
    [ls[1], ls[2]] = [ls[2]!, ls[1]!];
    writeLines(d, ls);
    const res = await verifyBottleChain(d);
    expect(res.problems[0]).toMatchObject({ line: 2 });
  });

  test("a truncated tail is caught by the signed head; a cut line by its shape", async () => {
    const d = await chainOf(6);
    const ls = lines(d);
    writeLines(d, ls.slice(0, 4));
    const res = await verifyBottleChain(d);
    expect(res.ok).toBe(false);
    expect(res.problems[0]!.line).toBe(5);
    expect(res.problems[0]!.message).toContain("truncated");

    const d2 = await chainOf(3);
    const text = readFileSync(chainFile(d2), "utf8");
    writeFileSync(chainFile(d2), text.slice(0, text.length - 20));
    const r2 = await verifyBottleChain(d2);
    expect(r2.problems.map((p) => p.line)).toContain(4);
  });

  test("a forged checkpoint (another key) does not verify", async () => {
    const d = await chainOf(3);
    const other = freshDir();
    const w = new ChainWriter(chainFile(other), { periodic: false });
    for (let i = 0; i < 3; i++) w.append("egress", "proxy", { host: `h${i}.example`, decision: i % 2 ? "allow" : "deny" });
    await w.close();
    // Same records, checkpoint signed by another bottle's key.
    writeFileSync(chainFile(d), readFileSync(chainFile(other)));
    const res = await verifyBottleChain(d);
    expect(res.ok).toBe(false);
    expect(res.problems.some((p) => p.message.includes("checkpoint"))).toBe(true);
  });

  test("a writer continues after a torn last line (crash mid-write)", async () => {
    const d = await chainOf(2);
    writeFileSync(chainFile(d), readFileSync(chainFile(d), "utf8") + '{"seq":3,"ti');
    const w = new ChainWriter(chainFile(d), { periodic: false });
    w.append("lifecycle", "host", { event: "start" });
    await w.close();
    const res = await verifyBottleChain(d);
    expect(res.problems).toHaveLength(1);
    expect(res.problems[0]!.line).toBe(4);
    expect(readChain(d).at(-2)!.seq).toBe(3);
  });
});
