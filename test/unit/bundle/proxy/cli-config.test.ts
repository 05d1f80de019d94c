import { expect, test } from "bun:test";
import { parseProxyConfigJson } from "../../../../src/cli/bundle-proxy.ts";
import { BottleError } from "../../../../src/util/errors.ts";

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
  const e = (() => {
    try {
      parseProxyConfigJson(text, "p.json");
    } catch (x) {
      return x;
    }
  })() as BottleError;
  expect(e).toBeInstanceOf(BottleError);
  expect(e.code).toBe("USAGE");
  expect(e.message).toContain(fragment);
});
