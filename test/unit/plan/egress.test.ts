import { describe, expect, test } from "bun:test";
import { effectiveAllowlist, KIND_DEFAULTS, planEgressRoute } from "../../../src/plan/egress.ts";
import type { ResolvedVar } from "../../../src/env/resolve.ts";
import type { EgressRouteSpec } from "../../../src/manifest/schema.ts";
import { thrown } from "../../helpers/thrown.ts";

const bytes = (n: number) => new Uint8Array(n).fill(5);
const cred = (value = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz"): ResolvedVar => ({ name: "BOT_BOTTLE_CRED_0", value, secret: true, source: "host" });
const plan = (spec: EgressRouteSpec, credential: ResolvedVar | undefined = cred(), index = 0) =>
  planEgressRoute({ spec, credential, index }, bytes, "bot-bottle.toml");
const planBare = (spec: EgressRouteSpec, index = 0) => planEgressRoute({ spec, index }, bytes, "bot-bottle.toml");

describe("planEgressRoute: kind defaults", () => {
  test.each([
    ["anthropic-api-key", "x-api-key", "", "ANTHROPIC_API_KEY"],
    ["anthropic-oauth", "authorization", "Bearer ", "CLAUDE_CODE_OAUTH_TOKEN"],
    ["openai", "authorization", "Bearer ", "OPENAI_API_KEY"],
  ] as const)("kind %s injects %s with prefix %p into env %s", (kind, header, prefix, env) => {
    const r = plan({ host: "api.example.com", kind });
    expect(r.credential).toMatchObject({ kind, header, prefix, env, bundleEnv: "BOT_BOTTLE_CRED_0", query: false });
    expect(KIND_DEFAULTS[kind].env).toBe(env);
  });

  test("bearer is the default kind and needs an env name", () => {
    const r = plan({ host: "api.example.com", env: "SERVICE_TOKEN" });
    expect(r.credential).toMatchObject({ kind: "bearer", header: "authorization", prefix: "Bearer ", env: "SERVICE_TOKEN" });
    const e = thrown(() => plan({ host: "api.example.com" }));
    expect(e.code).toBe("MANIFEST_INVALID");
    expect(e.key).toBe("egress[0].env");
    expect(e.hint).toContain('env = "');
  });

  test("a header name alone implies kind = header; the header is lower-cased; no prefix", () => {
    const r = plan({ host: "api.example.com", header: "X-Api-Token", env: "TOK" });
    expect(r.credential).toMatchObject({ kind: "header", header: "x-api-token", prefix: "", env: "TOK" });
  });

  test("kind = header without a header name is an error naming the key", () => {
    const e = thrown(() => plan({ host: "api.example.com", kind: "header", env: "TOK" }, cred(), 2));
    expect(e.code).toBe("MANIFEST_INVALID");
    expect(e.key).toBe("egress[2].header");
    expect(e.file).toBe("bot-bottle.toml");
  });

  test("explicit env and header override the kind's defaults; query opt-in and upstream are kept", () => {
    const r = plan({ host: "gw.corp.test", kind: "openai", env: "MY_OPENAI", header: "Api-Key", query: true, upstream: "http://10.0.0.5:8080" }, cred(), 3);
    expect(r).toMatchObject({ host: "gw.corp.test", upstream: "http://10.0.0.5:8080" });
    expect(r.credential).toMatchObject({ header: "api-key", env: "MY_OPENAI", bundleEnv: "BOT_BOTTLE_CRED_3", query: true });
  });

  test("the placeholder keeps the credential's prefix but never its value", () => {
    const real = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz";
    const r = plan({ host: "api.anthropic.com", kind: "anthropic-api-key" }, cred(real));
    expect(r.credential!.placeholder.startsWith("sk-ant-api03-")).toBe(true);
    expect(r.credential!.placeholder).not.toBe(real);
    expect(JSON.stringify(r)).not.toContain(real);
  });
});

describe("planEgressRoute: routes without a credential", () => {
  test("a plain route (upstream only) has no injection", () => {
    expect(planBare({ host: "mirror.test", upstream: "http://127.0.0.1:9" })).toEqual({ host: "mirror.test", upstream: "http://127.0.0.1:9" });
  });

  test.each([
    [{ host: "a.test", kind: "openai" }],
    [{ host: "a.test", env: "X" }],
    [{ host: "a.test", header: "X-Key" }],
  ] as [EgressRouteSpec][])("%j names how to inject but has no credential: error", (spec) => {
    const e = thrown(() => planBare(spec, 1));
    expect(e.code).toBe("MANIFEST_INVALID");
    expect(e.key).toBe("egress[1]");
    expect(e.message).toContain("a.test");
  });
});

describe("effectiveAllowlist", () => {
  test.each([
    [[], [], []],
    [["a.test"], [], ["a.test"]],
    [[], ["api.anthropic.com"], ["api.anthropic.com"]],
    [["a.test", "*.b.test"], ["b.test", "a.test"], ["a.test", "*.b.test", "b.test"]],
    [["x.test", "x.test"], ["x.test"], ["x.test"]],
  ])("allow %p + route hosts %p → %p", (allow, hosts, want) => {
    expect(effectiveAllowlist(allow, hosts.map((host) => ({ host })))).toEqual(want);
  });
});

describe("planEgressRoute: per-route dlp", () => {
  test("dlp is carried into the plan when given, absent otherwise (the proxy defaults credential routes to redact)", () => {
    expect(plan({ host: "api.anthropic.com", kind: "anthropic-api-key", credential: "x", dlp: "block" }).dlp).toBe("block");
    expect(plan({ host: "api.anthropic.com", kind: "anthropic-api-key", credential: "x", dlp: "redact" }).dlp).toBe("redact");
    expect("dlp" in plan({ host: "api.anthropic.com", kind: "anthropic-api-key", credential: "x" })).toBe(false);
  });
});
