import { describe, expect, test } from "bun:test";
import { checkAllowlist, hostMatches, normalizeHost, parseHostEntry, suggestedEntry } from "../../../../src/bundle/proxy/allowlist.ts";

describe("parseHostEntry", () => {
  test.each([
    ["example.com", { host: "example.com", wildcard: false, port: undefined }],
    ["*.example.com", { host: "example.com", wildcard: true, port: undefined }],
    ["*", { host: "", wildcard: true, port: undefined }],
    ["example.com:8443", { host: "example.com", wildcard: false, port: 8443 }],
    ["*.Example.COM.:22", { host: "example.com", wildcard: true, port: 22 }],
    ["*:8080", { host: "", wildcard: true, port: 8080 }],
  ])("%s", (entry, want) => {
    expect(parseHostEntry(entry)).toMatchObject(want);
  });
});

describe("checkAllowlist", () => {
  const allow = ["api.example.com", "*.github.com", "db.internal:5432", "registry.npmjs.org:443"].map(parseHostEntry);
  test.each([
    ["exact host, 443", "api.example.com", 443, 443, true],
    ["exact host, case and trailing dot", "API.Example.com.", 443, 443, true],
    ["exact host does not match a subdomain", "x.api.example.com", 443, 443, false],
    ["exact host does not match a suffix trick", "evilapi.example.com", 443, 443, false],
    ["wildcard matches a subdomain", "api.github.com", 443, 443, true],
    ["wildcard matches a deep subdomain", "a.b.github.com", 443, 443, true],
    ["wildcard also matches the apex", "github.com", 443, 443, true],
    ["wildcard does not match a lookalike", "evilgithub.com", 443, 443, false],
    ["wildcard does not match github.com.evil.io", "github.com.evil.io", 443, 443, false],
    ["entry without a port: other CONNECT ports refused", "api.example.com", 22, 443, false],
    ["entry without a port: plain HTTP on 80", "api.example.com", 80, 80, true],
    ["entry without a port: plain HTTP on 443 refused", "api.example.com", 443, 80, false],
    ["entry with a port allows exactly it", "db.internal", 5432, 443, true],
    ["entry with a port refuses 443", "db.internal", 443, 443, false],
    ["explicit :443", "registry.npmjs.org", 443, 443, true],
    ["unknown host", "example.org", 443, 443, false],
  ])("%s", (_why, host, port, def, allowed) => {
    expect(checkAllowlist(allow, host, port, def).allowed).toBe(allowed);
  });

  test("* allows every host on the default port only", () => {
    const all = [parseHostEntry("*")];
    expect(checkAllowlist(all, "anything.example", 443, 443).allowed).toBe(true);
    expect(checkAllowlist(all, "10.0.0.1", 443, 443).allowed).toBe(true);
    expect(checkAllowlist(all, "anything.example", 25, 443).allowed).toBe(false);
  });

  test("an empty allowlist denies everything", () => {
    expect(checkAllowlist([], "example.com", 443, 443)).toEqual({ allowed: false, reason: "example.com is not in the allowlist" });
  });

  test("reasons say whether the host or the port is the problem", () => {
    const d1 = checkAllowlist(allow, "nope.example", 443, 443);
    const d2 = checkAllowlist(allow, "api.example.com", 8443, 443);
    expect(!d1.allowed && d1.reason).toBe("nope.example is not in the allowlist");
    expect(!d2.allowed && d2.reason).toContain("port 8443 is not allowed for api.example.com");
  });
});

test("hostMatches ignores IPv6 brackets", () => {
  expect(hostMatches(parseHostEntry("::1"), "[::1]")).toBe(true);
  expect(normalizeHost("[::1]")).toBe("::1");
});

test.each([
  ["example.com", 443, 443, "example.com"],
  ["Example.com", 8443, 443, "example.com:8443"],
  ["example.com", 80, 80, "example.com"],
])("suggestedEntry(%s, %d)", (host, port, def, want) => {
  expect(suggestedEntry(host, port, def)).toBe(want);
});

test.each([
  ["[::1]:8443", { host: "::1", port: 8443 }],
  ["[::1]", { host: "::1", port: undefined }],
  ["fd00::5", { host: "fd00::5", port: undefined }],
])("IPv6 entry %s", (entry, want) => {
  expect(parseHostEntry(entry)).toMatchObject(want);
});
