// The gemini-api-key route kind: placeholder shape, and what the proxy does
// with the agent's x-goog-api-key and a `key=` query parameter.
import { describe, expect, test } from "bun:test";
import { planEgressRoute } from "../../../src/plan/egress.ts";
import { cryptoRandom, makePlaceholder } from "../../../src/plan/placeholder.ts";
import { injectCredential, injectQuery } from "../../../src/bundle/proxy/routes.ts";
import type { ProxyRouteConfig } from "../../../src/bundle/config.ts";

const REAL = "AIzaSyA1b2C3d4E5f6G7h8I9j0K_L-M2n3O4p5Q";

describe("gemini-api-key placeholders", () => {
  test("keep AIza, the length and the alphabet, and never equal the key (1000 draws)", () => {
    for (let i = 0; i < 1000; i++) {
      const p = makePlaceholder(REAL, cryptoRandom);
      expect(p).toMatch(/^AIza[0-9A-Za-z_-]{35}$/);
      expect(p).not.toBe(REAL);
      // Separators stay where the real key has them.
      expect([p.indexOf("_"), p.indexOf("-")]).toEqual([REAL.indexOf("_"), REAL.indexOf("-")]);
    }
  });
});

describe("a gemini-api-key route", () => {
  const plan = planEgressRoute(
    { spec: { host: "generativelanguage.googleapis.com", kind: "gemini-api-key" }, credential: { name: "C", value: REAL, secret: true, source: "host" } as any, index: 0 },
    (n) => new Uint8Array(n).fill(3),
  );
  const route: ProxyRouteConfig = { host: plan.host, credential: { ...plan.credential!, kind: "gemini-api-key" } };

  test("plans x-goog-api-key with no prefix and the placeholder in GEMINI_API_KEY", () => {
    expect(plan.credential).toMatchObject({ kind: "gemini-api-key", header: "x-goog-api-key", prefix: "", env: "GEMINI_API_KEY", query: false });
  });

  test.each([
    ["the placeholder is swapped", [["x-goog-api-key", plan.credential!.placeholder]]],
    ["any case, several copies: all replaced by one real header", [["X-Goog-Api-Key", "a"], ["x-goog-api-key", "b"]]],
    ["injected when the agent sent none", []],
  ])("%s", (_why, headers) => {
    const out = injectCredential(headers as [string, string][], route, REAL);
    expect(out.filter(([k]) => k.toLowerCase() === "x-goog-api-key")).toEqual([["x-goog-api-key", REAL]]);
  });

  test("`?key=PLACEHOLDER` is left alone unless the route opts in (query = true)", () => {
    const path = `/v1beta/models/m:generateContent?key=${plan.credential!.placeholder}`;
    expect(injectQuery(path, route, REAL)).toBe(path);
    const optIn = { ...route, credential: { ...route.credential!, query: true } };
    expect(injectQuery(path, optIn, REAL)).toBe(`/v1beta/models/m:generateContent?key=${REAL}`);
  });
});
