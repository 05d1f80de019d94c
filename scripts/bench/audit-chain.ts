#!/usr/bin/env bun
// Audit chain append cost: N egress-sized records appended through the
// ChainWriter (lock file, canonical JSON, sha-256, O_APPEND write) against the
// plain JSON-lines append it replaced (one writeSync per record), same run,
// same disk. Prints µs per record and the ratio; then verifies the chain.
//
//   bun scripts/bench/audit-chain.ts [--records 20000]
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureAuditKey } from "../../src/bundle/audit-chain/key.ts";
import { verifyBottleChain } from "../../src/bundle/audit-chain/read.ts";
import { CHAIN_FILES, ChainWriter } from "../../src/bundle/audit-chain/writer.ts";

const { values } = parseArgs({ options: { records: { type: "string", default: "20000" } } });
const N = Math.min(Math.max(Number(values.records) || 20000, 100), 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "bb-bench-chain-"));
const rec = (i: number) => ({
  time: new Date().toISOString(),
  client: "10.1.2.3:40000",
  method: "GET",
  host: "registry.npmjs.org",
  port: 443,
  path: `/pkg-${i}/-/pkg-${i}-1.0.0.tgz`,
  decision: "allow",
  intercepted: true,
  status: 200,
  bytesIn: 12345,
  ms: 12,
});

try {
  const plainFd = openSync(join(dir, "plain.jsonl"), "a");
  let t = performance.now();
  for (let i = 0; i < N; i++) writeSync(plainFd, JSON.stringify(rec(i)) + "\n");
  const plainUs = ((performance.now() - t) * 1000) / N;
  closeSync(plainFd);

  ensureAuditKey(join(dir, CHAIN_FILES.key), "bench-000000");
  const w = new ChainWriter(join(dir, CHAIN_FILES.chain), { periodic: false });
  t = performance.now();
  for (let i = 0; i < N; i++) w.append("egress", "proxy", rec(i));
  const chainUs = ((performance.now() - t) * 1000) / N;
  await w.close();

  t = performance.now();
  const v = await verifyBottleChain(dir);
  const verifyMs = performance.now() - t;
  console.log(`records: ${N}`);
  console.log(`plain JSON-lines append: ${plainUs.toFixed(2)} µs/record`);
  console.log(`audit chain append:      ${chainUs.toFixed(2)} µs/record (checkpoint every 64, signed async)`);
  console.log(`ratio chain/plain:       ${(chainUs / plainUs).toFixed(2)}x`);
  console.log(`verify: ${v.ok ? "ok" : "BROKEN"}, ${v.records} records, ${v.checkpoints} checkpoints in ${verifyMs.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
