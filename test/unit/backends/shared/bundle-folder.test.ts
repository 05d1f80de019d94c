import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleConfigFor, isBundleReady, readBundleCa, writeBundleFolder } from "../../../../src/backends/shared/bundle-folder.ts";
import { testPlan, REAL_KEY } from "../../../helpers/plan.ts";

const TMP = mkdtempSync(join(tmpdir(), "bb-folder-"));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("bundleConfigFor", () => {
  test("proxy on the requested host, paths under the mount, routes and secret names", async () => {
    const plan = await testPlan();
    const cfg = bundleConfigFor(plan, { listenHost: "0.0.0.0" });
    expect(cfg.identity).toBe(plan.identity);
    expect(cfg.proxy.listen).toBe("0.0.0.0:8888");
    expect(cfg.proxy.caDir).toBe("/var/lib/bot-bottle/ca");
    expect(cfg.proxy.auditLog).toBe("/var/lib/bot-bottle/audit-chain.jsonl");
    expect(cfg.proxy.allow).toEqual(plan.allow);
    expect(cfg.proxy.secretEnv).toEqual(["BOT_BOTTLE_CRED_0"]);
    expect(cfg.proxy.routes[0]!.credential!.bundleEnv).toBe("BOT_BOTTLE_CRED_0");
    expect(cfg.proxy.blockPrivate).toBe(true);
    expect(cfg.proxy.allowPrivate).toEqual(["10.9.8.7"]);
    expect(cfg.gitGate).toBeUndefined();
    expect(cfg.supervise).toBeUndefined();
    expect(JSON.stringify(cfg)).not.toContain(REAL_KEY);
  });

  test("git gate and supervise only when configured; loopback for smolmachines", async () => {
    const cfg = bundleConfigFor(await testPlan("git"), { listenHost: "127.0.0.1", stateDir: "/s" });
    expect(cfg.proxy.listen).toBe("127.0.0.1:8888");
    expect(cfg.proxy.allowPrivate).toBeUndefined();
    expect(cfg.gitGate).toEqual({
      listen: "127.0.0.1:9418",
      dir: "/s/git",
      auditLog: "/s/audit-chain.jsonl",
      repos: [{ name: "origin", url: "git@example.com:o/r.git", tokenEnv: undefined, sshKeyFile: "/run/bot-bottle/ssh/origin", push: ["bot-bottle/coder-abc123/*"], allowForce: false, allowDelete: false }],
    });
    expect(cfg.supervise).toEqual({ listen: "127.0.0.1:9100", dir: "/s/supervise", timeoutSeconds: 600, auditLog: "/s/audit-chain.jsonl" });
  });
});

describe("writeBundleFolder", () => {
  test("0700 folder with config.json; ready only with ready.json and the CA", async () => {
    const env = { XDG_STATE_HOME: TMP, HOME: TMP };
    const dir = writeBundleFolder(await testPlan(), { listenHost: "0.0.0.0" }, env);
    expect(dir).toBe(join(TMP, "bot-bottle/bottles/coder-abc123/bundle"));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).proxy.listen).toBe("0.0.0.0:8888");
    expect(isBundleReady(dir)).toBe(false);
    expect(readBundleCa(dir)).toBeNull();
    mkdirSync(join(dir, "ca"), { recursive: true });
    writeFileSync(join(dir, "ca/ca.crt"), "PEM");
    expect(isBundleReady(dir)).toBe(false);
    writeFileSync(join(dir, "ready.json"), "{}");
    expect(isBundleReady(dir)).toBe(true);
    expect(readBundleCa(dir)).toBe("PEM");
  });
});

describe("bundleConfigFor: policy in the loop", () => {
  test("ask only with supervise and on_deny = ask; --unattended deny / allow-listed; the policy file and the chain", async () => {
    const plan = await testPlan("shell");
    plan.supervise = true;
    plan.policy = { onDeny: "ask", askTimeoutSeconds: 30, approvalTimeoutSeconds: 90, approvalDefault: "approve" };
    const cfg = bundleConfigFor(plan, { listenHost: "0.0.0.0", stateDir: "/s" });
    expect(cfg.policyFile).toBe("/s/policy.json");
    expect(cfg.proxy.ask).toEqual({ dir: "/s/supervise", timeoutSeconds: 30 });
    expect(cfg.supervise).toMatchObject({ timeoutSeconds: 90, timeoutDecision: "approve", auditLog: "/s/audit-chain.jsonl" });
    plan.policy.unattended = "deny";
    expect(bundleConfigFor(plan, { listenHost: "0.0.0.0", stateDir: "/s" }).proxy.ask).toEqual({ dir: "/s/supervise", timeoutSeconds: 30, unattended: "deny" });
    plan.policy.unattended = "allow-listed";
    expect(bundleConfigFor(plan, { listenHost: "0.0.0.0", stateDir: "/s" }).proxy.ask).toBeUndefined();
    plan.policy = { ...plan.policy, unattended: undefined, onDeny: "block" };
    expect(bundleConfigFor(plan, { listenHost: "0.0.0.0", stateDir: "/s" }).proxy.ask).toBeUndefined();
  });

  test("writeBundleFolder makes the audit key (0600) and the chain file before the bundle starts", async () => {
    const env = { XDG_STATE_HOME: TMP, HOME: TMP };
    const dir = writeBundleFolder(await testPlan("shell", "sh-keyed1"), { listenHost: "0.0.0.0" }, env);
    expect(statSync(join(dir, "audit-key.jwk")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "audit-key.jwk"), "utf8"))).toMatchObject({ kty: "OKP", crv: "Ed25519", bottle: "sh-keyed1" });
    expect(statSync(join(dir, "audit-chain.jsonl")).size).toBe(0);
  });
});
