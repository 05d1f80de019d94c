import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseBundleConfig, parseProxyConfigJson, readBundleConfig, readBundleSection } from "../../../src/bundle/config-file.ts";
import { bundleConfigFor } from "../../../src/backends/shared/bundle-folder.ts";
import { BottleError } from "../../../src/util/errors.ts";
import { testPlan } from "../../helpers/plan.ts";
import { tempDirs } from "../../helpers/tmp.ts";
import { thrown } from "../../helpers/thrown.ts";

const tmp = tempDirs("bb-bundle-config-");

const proxy = {
  listen: "0.0.0.0:8888",
  allow: ["api.test"],
  dlp: true,
  routes: [],
  secretEnv: [],
  caDir: "/var/lib/bot-bottle/ca",
  auditLog: "/var/lib/bot-bottle/egress.jsonl",
  blockPrivate: true,
};

test("a bare ProxyConfig is read as is", () => {
  expect(parseProxyConfigJson(JSON.stringify(proxy), "p.json")).toEqual(proxy);
});

test("a bundle config's proxy section is used", () => {
  expect(parseProxyConfigJson(JSON.stringify({ identity: "dev-abc123", proxy }), "bundle.json")).toEqual(proxy);
});

test.each([
  ["not JSON", "{", "not JSON"],
  ["missing listen", JSON.stringify({ ...proxy, listen: undefined }), "listen"],
  ["allow not a list", JSON.stringify({ ...proxy, allow: "api.test" }), "allow"],
  ["dlp as a string", JSON.stringify({ ...proxy, dlp: "yes" }), "dlp"],
  ["null", "null", "not an object"],
])("refuses %s", (_why, text, fragment) => {
  const e = thrown(() => parseProxyConfigJson(text, "p.json"));
  expect(e).toBeInstanceOf(BottleError);
  expect(e.code).toBe("USAGE");
  expect(e.message).toContain(fragment);
});

test("reads one section of the bundle config; says which is missing; rejects bad JSON", () => {
  const dir = tmp();
  const file = join(dir, "config.json");
  const supervise = { listen: "0.0.0.0:9100", dir: "/var/lib/bot-bottle/supervise", timeoutSeconds: 600 };
  writeFileSync(file, JSON.stringify({ identity: "x", proxy, supervise }));
  expect(readBundleSection(file, "supervise")).toEqual(supervise);
  expect(() => readBundleSection(file, "gitGate")).toThrow('has no "gitGate" section');
  writeFileSync(join(dir, "bad.json"), "{");
  expect(() => readBundleSection(join(dir, "bad.json"), "supervise")).toThrow("is not JSON");
  expect(() => readBundleSection(join(dir, "missing.json"), "supervise")).toThrow("cannot read the bundle config");
});

test("what the host writes is what every bundle command reads", async () => {
  const plan = await testPlan();
  const cfg = bundleConfigFor(plan, { listenHost: "0.0.0.0" });
  const file = join(tmp(), "config.json");
  writeFileSync(file, JSON.stringify(cfg));
  expect(readBundleConfig(file)).toEqual(cfg);
  expect(parseProxyConfigJson(JSON.stringify(cfg), file)).toEqual(cfg.proxy);
});

test("the policy-in-the-loop settings survive the reader (ask, the policy file, approval defaults)", async () => {
  const plan = await testPlan("shell");
  plan.supervise = true;
  plan.policy = { onDeny: "ask", askTimeoutSeconds: 30, approvalTimeoutSeconds: 90, approvalDefault: "approve", unattended: "deny" };
  const cfg = bundleConfigFor(plan, { listenHost: "0.0.0.0" });
  expect(cfg.proxy.ask).toBeDefined();
  expect(cfg.supervise?.timeoutDecision).toBe("approve");
  const file = join(tmp(), "config.json");
  writeFileSync(file, JSON.stringify(cfg));
  expect(readBundleConfig(file)).toEqual(cfg);
});

test.each([
  ["no proxy section", { identity: "x" }, "proxy"],
  ["a proxy without caDir", { identity: "x", proxy: { ...proxy, caDir: undefined } }, "proxy.caDir"],
  ["a git gate repo without push", { identity: "x", proxy, gitGate: { listen: "l", dir: "d", auditLog: "a", repos: [{ name: "r", url: "u", allowForce: false, allowDelete: false }] } }, "gitGate.repos.0.push"],
  ["an unknown credential kind", { identity: "x", proxy: { ...proxy, routes: [{ host: "h", credential: { kind: "magic" } }] } }, "proxy.routes.0.credential.kind"],
  ["an array", [], "not an object"],
])("the bundle config refuses %s, naming the key", (_why, data, fragment) => {
  const e = thrown(() => parseBundleConfig(JSON.stringify(data), "c.json"));
  expect(e).toBeInstanceOf(BottleError);
  expect(e.code).toBe("USAGE");
  expect(e.message).toContain(fragment);
});

test("a route's dlp mode survives the reader (a dropped key would silently turn block into redact)", () => {
  const routes = [{ host: "api.test", dlp: "block" }, { host: "b.test", dlp: "redact" }, { host: "c.test" }];
  expect(parseProxyConfigJson(JSON.stringify({ ...proxy, routes }), "p.json").routes).toEqual(routes as never);
  const e = thrown(() => parseProxyConfigJson(JSON.stringify({ ...proxy, routes: [{ host: "x", dlp: "off" }] }), "p.json"));
  expect(e).toBeInstanceOf(BottleError);
});
