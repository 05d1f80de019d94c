import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BundleConfig } from "../../../src/bundle/config.ts";
import { watchPolicy } from "../../../src/bundle/serve.ts";
import { ChainWriter } from "../../../src/bundle/audit-chain/writer.ts";
import { readChain } from "../../../src/bundle/audit-chain/read.ts";
import { updateLivePolicy, withAllowed, withDenied, withPush } from "../../../src/bundle/policy/live-policy.ts";
import type { ProxyDaemon } from "../../../src/bundle/proxy/server.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("the bundle applies the live policy", () => {
  test("to the proxy (allow/deny) and the git gate (push patterns), and records each version", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bb-serve-pol-"));
    dirs.push(dir);
    const cfg = {
      identity: "box-1",
      policyFile: join(dir, "policy.json"),
      proxy: { allow: ["m.com"], auditLog: join(dir, "audit-chain.jsonl") },
      gitGate: { repos: [{ name: "origin", push: ["bot-bottle/box-1/*"] }] },
    } as unknown as BundleConfig;
    const seen: { allow: readonly string[]; deny: readonly string[] }[] = [];
    const proxy = { setPolicy: (p: { allow: readonly string[]; deny: readonly string[] }) => seen.push(p) } as unknown as ProxyDaemon;
    const chain = new ChainWriter(cfg.proxy.auditLog, { periodic: false });
    const w = watchPolicy(cfg, proxy, chain);
    updateLivePolicy(cfg.policyFile!, "bot-bottle allow", (p) => withPush(withDenied(withAllowed(p, ["x.com"]), ["m.com"]), "origin", ["release/*"]));
    expect(w.check()).toBe(true);
    expect(seen.at(-1)).toMatchObject({ allow: ["x.com"], deny: ["m.com"] });
    expect(cfg.gitGate!.repos[0]!.push).toEqual(["release/*"]);
    await chain.close();
    const applied = readChain(dir, { kinds: ["policy"] });
    expect(applied[0]!.data).toMatchObject({ event: "applied", rev: 1, by: "bot-bottle allow" });
  });
});
