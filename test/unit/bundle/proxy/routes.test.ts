import { describe, expect, test } from "bun:test";
import type { ProxyRouteConfig } from "../../../../src/bundle/config.ts";
import {
  auditPath,
  findRoute,
  foreignPlaceholders,
  injectCredential,
  injectQuery,
  routeCredentials,
  upstreamTarget,
} from "../../../../src/bundle/proxy/routes.ts";
import { BottleError } from "../../../../src/util/errors.ts";

const anthropic: ProxyRouteConfig = {
  host: "api.anthropic.com",
  credential: { kind: "anthropic-api-key", header: "x-api-key", prefix: "", env: "ANTHROPIC_API_KEY", placeholder: "sk-ant-api03-PLACEHOLDERaaaaaaaaaaaaaaaa", bundleEnv: "BOT_BOTTLE_CRED_0", query: false },
};
const openai: ProxyRouteConfig = {
  host: "api.openai.com",
  upstream: "http://127.0.0.1:9999/gateway/",
  credential: { kind: "openai", header: "authorization", prefix: "Bearer ", env: "OPENAI_API_KEY", placeholder: "sk-proj-PLACEHOLDERbbbbbbbbbbbbbbbbbb", bundleEnv: "BOT_BOTTLE_CRED_1", query: true },
};
const wildcard: ProxyRouteConfig = { host: "*.corp.example", upstream: "https://gateway.corp.example:8443" };
const routes = [anthropic, openai, wildcard];

describe("findRoute", () => {
  test.each([
    ["api.anthropic.com", anthropic],
    ["API.Anthropic.com.", anthropic],
    ["api.openai.com", openai],
    ["git.corp.example", wildcard],
    ["corp.example", wildcard],
    ["anthropic.com", undefined],
    ["evil-api.anthropic.com", undefined],
  ])("%s", (host, want) => {
    expect(findRoute(routes, host)).toBe(want as ProxyRouteConfig | undefined);
  });
  test("an exact route beats a wildcard listed first", () => {
    const exact: ProxyRouteConfig = { host: "git.corp.example" };
    expect(findRoute([wildcard, exact], "git.corp.example")).toBe(exact);
  });
});

describe("injectCredential", () => {
  test.each([
    ["the placeholder is swapped", [["x-api-key", anthropic.credential!.placeholder]], [["x-api-key", "REAL"]]],
    ["a header in another case is swapped", [["X-Api-Key", anthropic.credential!.placeholder]], [["x-api-key", "REAL"]]],
    ["an agent-chosen key is replaced, not kept", [["x-api-key", "sk-ant-agent-own"]], [["x-api-key", "REAL"]]],
    ["several copies all go", [["x-api-key", "a"], ["X-API-KEY", "b"]], [["x-api-key", "REAL"]]],
    ["injected even when the agent sent none", [["accept", "*/*"]], [["accept", "*/*"], ["x-api-key", "REAL"]]],
  ])("%s", (_why, headers, want) => {
    expect(injectCredential(headers as [string, string][], anthropic, "REAL")).toEqual(want as [string, string][]);
  });
  test("the prefix is added (Bearer)", () => {
    expect(injectCredential([["Authorization", "Bearer sk-proj-x"]], openai, "REAL")).toEqual([["authorization", "Bearer REAL"]]);
  });
  test("routes without a credential leave headers alone", () => {
    expect(injectCredential([["authorization", "Bearer mine"]], wildcard, undefined)).toEqual([["authorization", "Bearer mine"]]);
  });
});

describe("injectQuery", () => {
  const ph = openai.credential!.placeholder;
  test.each([
    ["swapped in the query", `/v1?key=${ph}&x=1`, "/v1?key=RE%2FAL&x=1"],
    ["not in the path", `/v1/${ph}?a=1`, `/v1/${ph}?a=1`],
    ["no query", "/v1", "/v1"],
    ["a second parameter", `/v1?a=1&key=${ph}`, "/v1?a=1&key=RE%2FAL"],
    // Only a parameter's whole value: the real key must not ride inside a URL the upstream may call or redirect to.
    ["not inside another parameter's URL", `/v1?redirect=https://elsewhere.test/?k=${ph}`, `/v1?redirect=https://elsewhere.test/?k=${ph}`],
    ["not glued into a value", `/v1?x=a${ph}b`, `/v1?x=a${ph}b`],
    ["not as a parameter name", `/v1?${ph}=1`, `/v1?${ph}=1`],
  ])("%s", (_why, path, want) => {
    expect(injectQuery(path, openai, "RE/AL")).toBe(want);
  });
  test("off unless the route opts in", () => {
    const p = `/v1?key=${anthropic.credential!.placeholder}`;
    expect(injectQuery(p, anthropic, "REAL")).toBe(p);
  });
});

test("foreignPlaceholders lists the other routes' placeholders", () => {
  expect(foreignPlaceholders(routes, anthropic)).toEqual([{ name: "api.openai.com", value: openai.credential!.placeholder, env: openai.credential!.env }]);
  expect(foreignPlaceholders(routes, undefined).map((p) => p.name)).toEqual(["api.anthropic.com", "api.openai.com"]);
});

describe("routeCredentials", () => {
  test("reads each route's bundle env", () => {
    const m = routeCredentials(routes, { BOT_BOTTLE_CRED_0: "a", BOT_BOTTLE_CRED_1: "b" });
    expect(m.get(anthropic)).toBe("a");
    expect(m.get(openai)).toBe("b");
    expect(m.has(wildcard)).toBe(false);
  });
  test("a missing real credential fails at start, naming the variable", () => {
    expect(() => routeCredentials(routes, { BOT_BOTTLE_CRED_0: "a" })).toThrow(BottleError);
    expect(() => routeCredentials(routes, { BOT_BOTTLE_CRED_0: "a" })).toThrow("BOT_BOTTLE_CRED_1");
  });
});

describe("upstreamTarget", () => {
  test.each([
    ["no route: the host itself over TLS", undefined, "api.test", 443, true, { tls: true, host: "api.test", port: 443, basePath: "", hostHeader: "api.test" }],
    ["non-default port kept in Host", undefined, "api.test", 8443, true, { tls: true, host: "api.test", port: 8443, basePath: "", hostHeader: "api.test:8443" }],
    ["plain http on 80", undefined, "api.test", 80, false, { tls: false, host: "api.test", port: 80, basePath: "", hostHeader: "api.test" }],
    ["IPv6 Host header is bracketed", undefined, "::1", 8443, true, { tls: true, host: "::1", port: 8443, basePath: "", hostHeader: "[::1]:8443" }],
    ["http upstream with a base path", openai, "api.openai.com", 443, true, { tls: false, host: "127.0.0.1", port: 9999, basePath: "/gateway", hostHeader: "127.0.0.1:9999" }],
    ["https upstream", wildcard, "git.corp.example", 443, true, { tls: true, host: "gateway.corp.example", port: 8443, basePath: "", hostHeader: "gateway.corp.example:8443" }],
  ] as const)("%s", (_why, route, host, port, tls, want) => {
    expect(upstreamTarget(route as ProxyRouteConfig | undefined, host, port, tls)).toEqual(want);
  });
  test("other schemes are refused", () => {
    expect(() => upstreamTarget({ host: "x", upstream: "ftp://x/" }, "x", 443, true)).toThrow(BottleError);
  });
});

test.each([
  ["/v1/messages", "/v1/messages"],
  ["/v1?key=secret&beta=true&flag", "/v1?key=…&beta=…&flag"],
  ["/" + "a".repeat(600), "/" + "a".repeat(511) + "…"],
])("auditPath(%p)", (path, want) => {
  expect(auditPath(path)).toBe(want);
});
