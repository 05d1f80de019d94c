import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answerRequest, changePolicy, checkHosts, policyView } from "../../../src/lifecycle/live-policy.ts";
import { bundleFolder, writeBundleFolder } from "../../../src/backends/shared/bundle-folder.ts";
import { readLivePolicy } from "../../../src/bundle/policy/live-policy.ts";
import { readChain } from "../../../src/bundle/audit-chain/read.ts";
import { readAnswer, writeRequest, type SuperviseRequest } from "../../../src/bundle/supervise/protocol.ts";
import { openDb } from "../../../src/state/db.ts";
import type { BottleRow } from "../../../src/state/bottles.ts";
import { testPlan } from "../../helpers/plan.ts";

const TMP = mkdtempSync(join(tmpdir(), "bb-livepol-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const env = { XDG_STATE_HOME: TMP, HOME: TMP };

async function row(): Promise<BottleRow> {
  const plan = await testPlan("shell", `sh-${Math.random().toString(36).slice(2, 8)}`);
  plan.git = [{ name: "origin", url: "u", push: [`bot-bottle/${plan.identity}/*`], allowForce: false, allowDelete: false, path: "/w" }];
  const manifest = join(TMP, `${plan.identity}.toml`);
  writeFileSync(manifest, `version = 1\n# mine\n[bottles.${plan.bottle}]\nagent = "sh" # keep\n`);
  plan.manifest = manifest;
  writeBundleFolder(plan, { listenHost: "0.0.0.0" }, env);
  return { identity: plan.identity, plan, status: "running", backend: "docker" } as unknown as BottleRow;
}

describe("host-side live policy", () => {
  test("host patterns are checked like the manifest's", () => {
    expect(checkHosts(["API.Example.com", "*.x.org", "h:8443"])).toEqual(["api.example.com", "*.x.org", "h:8443"]);
    expect(() => checkHosts(["http://x.com"])).toThrow(/not a host pattern/);
    expect(() => checkHosts([])).toThrow(/which hosts/);
  });

  test("changes are written, recorded in the chain, and shown with the manifest's lists", async () => {
    const r = await row();
    await changePolicy(r, { allow: ["a.com"], pushAdd: ["release/*"] }, "bot-bottle allow", env);
    const p = await changePolicy(r, { deny: ["registry.npmjs.org"], pushRemove: [`origin=bot-bottle/${r.identity}/*`] }, "bot-bottle deny", env);
    expect(p).toMatchObject({ rev: 2, allow: ["a.com"], deny: ["registry.npmjs.org"], push: { origin: ["release/*"] } });
    const view = policyView(r, env);
    expect(view.effective.allow).not.toContain("registry.npmjs.org");
    expect(view.effective.allow).toContain("a.com");
    expect(view.effective.push).toEqual({ origin: ["release/*"] });
    expect(view.appliedRev).toBe(-1);
    const recs = readChain(bundleFolder(r.identity, env), { kinds: ["policy"] });
    expect(recs.map((x) => x.data.by)).toEqual(["bot-bottle allow", "bot-bottle deny"]);
    await expect(changePolicy(r, { pushAdd: ["nope=x/*"] }, "t", env)).rejects.toThrow(/no git remote named nope/);
  });

  test("allow-save: the policy first, then the manifest (minimal edit), then the answer", async () => {
    const r = await row();
    const dir = join(bundleFolder(r.identity, env), "supervise");
    mkdirSync(join(dir, "requests"), { recursive: true });
    mkdirSync(join(dir, "answers"), { recursive: true });
    const req: SuperviseRequest = {
      id: "abc123abc123",
      kind: "egress",
      action: "GET docs.example.org/x",
      reason: "",
      at: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      egress: { host: "docs.example.org", port: 443, method: "GET", path: "/x", entry: "docs.example.org", count: 1, firstSeen: "", lastSeen: "" },
    };
    writeRequest(dir, req);
    const db = openDb(join(TMP, "state.db"));
    try {
      await answerRequest(db, r, { identity: r.identity, dir, request: req, answer: null }, "allow-save", {}, env);
    } finally {
      db.close();
    }
    expect(readLivePolicy(join(bundleFolder(r.identity, env), "policy.json")).allow).toEqual(["docs.example.org"]);
    expect(readFileSync(r.plan.manifest, "utf8")).toBe(`version = 1\n# mine\n[bottles.${r.plan.bottle}]\nagent = "sh" # keep\nallow = ["docs.example.org"]\n`);
    expect(readAnswer(dir, req.id)?.decision).toBe("allow-save");

    // A question whose entry is not one plain host (a pattern, junk) never reaches a policy or the manifest.
    for (const entry of ["*", "*.example.org", "a.com\nallow = [\"*\"]"]) {
      const bad = { ...req, id: `bad${Math.random().toString(36).slice(2, 11)}`, egress: { ...req.egress!, entry } };
      writeRequest(dir, bad);
      const db2 = openDb(join(TMP, "state.db"));
      try {
        await expect(answerRequest(db2, r, { identity: r.identity, dir, request: bad, answer: null }, "allow", {}, env)).rejects.toThrow(/not a single host/);
      } finally {
        db2.close();
      }
    }
    expect(readLivePolicy(join(bundleFolder(r.identity, env), "policy.json")).allow).toEqual(["docs.example.org"]);
  });
});
