import { describe, expect, test } from "bun:test";
import type { ProxyRouteConfig } from "../../../../src/bundle/config.ts";
import { parseHostEntry } from "../../../../src/bundle/proxy/allowlist.ts";
import { SECRET_PATTERNS } from "../../../../src/bundle/proxy/dlp/patterns.ts";
import { parseRequestHead } from "../../../../src/bundle/proxy/http-head.ts";
import { planRequest, type ForwardPlan, type RequestPolicy, type RefusePlan } from "../../../../src/bundle/proxy/request-policy.ts";

const PH = "sk-ant-api03-PLACEHOLDERaaaaaaaaaaaaaaaaaaaa";
const GH_PH = ["gh", "p_", "PLACEHOLDERbbbbbbbbbbbbbbbbbbbbbbbbb"].join("");
const anthropic: ProxyRouteConfig = {
  host: "api.anthropic.com",
  credential: { kind: "anthropic-api-key", header: "x-api-key", prefix: "", env: "ANTHROPIC_API_KEY", placeholder: PH, bundleEnv: "C0", query: false },
};
const github: ProxyRouteConfig = {
  host: "api.github.com",
  upstream: "http://127.0.0.1:7000/gh",
  credential: { kind: "bearer", header: "authorization", prefix: "Bearer ", env: "GH_TOKEN", placeholder: GH_PH, bundleEnv: "C1", query: false },
};

function policy(over: Partial<RequestPolicy> = {}): RequestPolicy {
  return {
    allow: ["api.anthropic.com", "api.github.com", "example.com", "*.plain.test"].map(parseHostEntry),
    routes: [anthropic, github],
    credentials: new Map([
      [anthropic, "sk-ant-api03-REAL"],
      [github, "ghp-REAL"],
    ]),
    dlp: true,
    patterns: SECRET_PATTERNS,
    secrets: [{ name: "C0", value: "sk-ant-api03-REAL" }],
    maxScannedBody: 1024,
    ...over,
  };
}

const head = (s: string) => parseRequestHead(s.replace(/\n/g, "\r\n") + "\r\n\r\n");
const tunnel = (host: string) => ({ host, port: 443 });
const forward = (p: ReturnType<typeof planRequest>) => {
  expect(p.kind).toBe("forward");
  return p as ForwardPlan;
};
const refused = (p: ReturnType<typeof planRequest>) => {
  expect(p.kind).toBe("refuse");
  return p as RefusePlan;
};

describe("header rewriting on a route", () => {
  const p = forward(
    planRequest(
      policy(),
      head(`POST /v1/messages HTTP/1.1\nHost: api.anthropic.com\nx-api-key: ${PH}\nContent-Length: 2\nConnection: keep-alive, X-Hop\nX-Hop: 1\nProxy-Authorization: Basic abc\nExpect: 100-continue\nAccept: */*`),
      tunnel("api.anthropic.com"),
    ),
  );
  test("Host first, placeholder out, real key in, hop-by-hop and framing out", () => {
    expect(p.headers).toEqual([
      ["Host", "api.anthropic.com"],
      ["Accept", "*/*"],
      // Identity bodies from the route's upstream: the response scrubber must see the bytes.
      ["Accept-Encoding", "identity"],
      ["x-api-key", "sk-ant-api03-REAL"],
      ["Connection", "keep-alive"],
    ]);
  });
  test("facts for the exchange", () => {
    expect(p).toMatchObject({ host: "api.anthropic.com", port: 443, path: "/v1/messages", framing: { kind: "length", length: 2 }, scanBody: true, expectContinue: true, clientClose: false });
    expect(p.route).toBe(anthropic);
    expect(p.bodyPolicy.ownPlaceholders).toEqual([PH]);
    expect(p.bodyPolicy.foreignPlaceholders).toEqual([{ name: "api.github.com", value: GH_PH, env: "GH_TOKEN" }]);
    expect(p.dlpMode).toBe("redact");
  });
});

test("a route with an upstream: its base path, its Host, X-Forwarded-Host, Bearer prefix", () => {
  const p = forward(planRequest(policy(), head(`GET /user?x=1 HTTP/1.1\nHost: api.github.com\nAuthorization: Bearer ${GH_PH}`), tunnel("api.github.com")));
  expect(p.path).toBe("/gh/user?x=1");
  expect(p.target).toMatchObject({ tls: false, host: "127.0.0.1", port: 7000 });
  expect(p.headers).toEqual([
    ["Host", "127.0.0.1:7000"],
    ["Accept-Encoding", "identity"],
    ["X-Forwarded-Host", "api.github.com"],
    ["authorization", "Bearer ghp-REAL"],
    ["Connection", "keep-alive"],
  ]);
});

describe("refusals", () => {
  test.each([
    ["placeholder of another route in a header", `GET / HTTP/1.1\nHost: example.com\nAuthorization: Bearer ${PH}`, "example.com", "block", "placeholder for api.anthropic.com"],
    ["placeholder of another route in the URL", `GET /?t=${GH_PH} HTTP/1.1\nHost: api.anthropic.com`, "api.anthropic.com", "block", "placeholder for api.github.com"],
    ["AWS key in a header", "GET / HTTP/1.1\nHost: example.com\nX-K: AKIAIOSFODNN7EXAMPLE", "example.com", "block", "AWS access key ID in header X-K"],
    ["AWS key as a header name", "GET / HTTP/1.1\nHost: example.com\nAKIAIOSFODNN7EXAMPLE: 1", "example.com", "block", "AWS access key ID in a header name"],
    ["AWS key in the path", "GET /keys/AKIAIOSFODNN7EXAMPLE HTTP/1.1\nHost: example.com", "example.com", "block", "AWS access key ID in the URL"],
    ["the real route key sent by the agent", "GET /?k=sk-ant-api03-REAL HTTP/1.1\nHost: example.com", "example.com", "block", "operator secret C0"],
    ["Host header naming another host (domain fronting)", "GET / HTTP/1.1\nHost: api.github.com", "example.com", "error", "does not match the CONNECT host"],
    ["Host header with another port", "GET / HTTP/1.1\nHost: example.com:8443", "example.com", "error", "does not match"],
    ["CL + TE smuggling", "POST / HTTP/1.1\nHost: example.com\nContent-Length: 3\nTransfer-Encoding: chunked", "example.com", "error", "both Transfer-Encoding and Content-Length"],
    ["body in an encoding DLP cannot decode", "POST / HTTP/1.1\nHost: example.com\nContent-Encoding: compress\nContent-Length: 3", "example.com", "block", "cannot decode (compress)"],
    ["an AWS key in the Upgrade header", "GET / HTTP/1.1\nHost: example.com\nConnection: Upgrade\nUpgrade: AKIAIOSFODNN7EXAMPLE", "example.com", "block", "header Upgrade"],
    ["an unknown upgrade protocol", "GET / HTTP/1.1\nHost: example.com\nConnection: Upgrade\nUpgrade: h2c", "example.com", "block", "unsupported Upgrade"],
    ["an AWS key in the method", "AKIAIOSFODNN7EXAMPLE / HTTP/1.1\nHost: example.com", "example.com", "block", "request method"],
    ["a percent-encoded key in the path", "GET /x/%41KIAIOSFODNN7EXAMPLE HTTP/1.1\nHost: example.com", "example.com", "block", "percent-encoding"],
    ["body over the scan limit", "POST / HTTP/1.1\nHost: example.com\nContent-Length: 4096", "example.com", "block", "larger than the 1024-byte scan limit"],
    ["absolute URL for another host inside a tunnel", "GET https://api.github.com/ HTTP/1.1\nHost: example.com", "example.com", "error", "another host"],
  ])("%s", (_why, text, host, decision, fragment) => {
    const r = refused(planRequest(policy(), head(text), tunnel(host)));
    expect(r.decision).toBe(decision as RefusePlan["decision"]);
    expect(r.refusal.body + r.refusal.reason).toContain(fragment);
    expect(r.refusal.body).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(r.refusal.body).not.toContain("sk-ant-api03-REAL");
    // What goes to the audit log must not carry it either.
    expect(JSON.stringify(r)).not.toContain("AKIAIOSFODNN7EXAMPLE");
  });

  test("the route's own placeholder in its own header does not trip DLP", () => {
    forward(planRequest(policy(), head(`GET / HTTP/1.1\nHost: api.anthropic.com\nx-api-key: ${PH}`), tunnel("api.anthropic.com")));
  });

  test("with DLP off, patterns pass but placeholder leaks are still blocked", () => {
    forward(planRequest(policy({ dlp: false }), head("GET / HTTP/1.1\nHost: example.com\nX-K: AKIAIOSFODNN7EXAMPLE"), tunnel("example.com")));
    refused(planRequest(policy({ dlp: false }), head(`GET / HTTP/1.1\nHost: example.com\nX: ${PH}`), tunnel("example.com")));
  });

  test("with DLP off and no routes, bodies stream unscanned even when compressed or large", () => {
    const p = forward(planRequest(policy({ dlp: false, routes: [] }), head("POST / HTTP/1.1\nHost: example.com\nContent-Encoding: gzip\nContent-Length: 4096"), tunnel("example.com")));
    expect(p.scanBody).toBe(false);
  });
});

describe("plain (absolute-form) proxy requests", () => {
  test("allowed host: Host rebuilt from the URL, port 80 default", () => {
    const p = forward(planRequest(policy(), head("GET http://a.plain.test/x?y=1 HTTP/1.1\nHost: ignored.test\nProxy-Connection: keep-alive")));
    expect(p).toMatchObject({ host: "a.plain.test", port: 80, path: "/x?y=1" });
    expect(p.headers).toEqual([
      ["Host", "a.plain.test"],
      ["Connection", "keep-alive"],
    ]);
  });
  test.each([
    ["host not allowed", "GET http://evil.test/ HTTP/1.1", "deny", "evil.test is not in the allowlist"],
    ["port not allowed", "GET http://example.com:8080/ HTTP/1.1", "deny", "port 8080"],
    ["origin-form sent to the proxy", "GET / HTTP/1.1\nHost: example.com", "error", "forward proxy"],
    ["https:// without CONNECT", "GET https://example.com/ HTTP/1.1", "error", "CONNECT"],
    ["userinfo in the URL", "GET http://u:p@example.com/ HTTP/1.1", "error", "credentials in the URL"],
  ])("%s", (_why, text, decision, fragment) => {
    const r = refused(planRequest(policy(), head(text)));
    expect(r.decision).toBe(decision as RefusePlan["decision"]);
    expect(r.refusal.body).toContain(fragment);
  });
});

test("WebSocket upgrade keeps Upgrade/Connection for the upstream", () => {
  const p = forward(planRequest(policy(), head("GET /ws HTTP/1.1\nHost: example.com\nConnection: Upgrade\nUpgrade: websocket\nSec-WebSocket-Key: x"), tunnel("example.com")));
  expect(p.upgrade).toBe("websocket");
  expect(p.headers.slice(-2)).toEqual([
    ["Connection", "Upgrade"],
    ["Upgrade", "websocket"],
  ]);
});

test.each([
  ["HTTP/1.0 without keep-alive closes", "GET / HTTP/1.0\nHost: example.com", true],
  ["HTTP/1.0 with keep-alive stays", "GET / HTTP/1.0\nHost: example.com\nConnection: keep-alive", false],
  ["Connection: close", "GET / HTTP/1.1\nHost: example.com\nConnection: close", true],
])("%s", (_why, text, close) => {
  expect(forward(planRequest(policy(), head(text), tunnel("example.com"))).clientClose).toBe(close);
});

describe("a route's credential header", () => {
  test("another route's placeholder there is blocked, not swapped for this route's key", () => {
    const r = refused(planRequest(policy(), head(`GET /user HTTP/1.1\nHost: api.github.com\nAuthorization: Bearer ${PH}`), tunnel("api.github.com")));
    expect(r.decision).toBe("block");
    expect(JSON.stringify(r)).not.toContain(PH);
  });
  test("anything else there is replaced by this route's real key", () => {
    const p = forward(planRequest(policy(), head(`GET /user HTTP/1.1\nHost: api.github.com\nAuthorization: Bearer made-up`), tunnel("api.github.com")));
    expect(p.headers).toContainEqual(["authorization", "Bearer ghp-REAL"]);
  });
});

describe("the live policy at every request", () => {
  const only = (allow: string[], deny: string[] = []) => policy({ allow: allow.map(parseHostEntry), deny: deny.map(parseHostEntry) });
  test("a tunnel opened before a live deny is refused at its next request, never askable", () => {
    const r = planRequest(only(["example.com"], ["example.com"]), head("GET / HTTP/1.1\nHost: example.com"), tunnel("example.com"));
    expect(r.kind).toBe("refuse");
    if (r.kind !== "refuse") return;
    expect(r.refusal.reason).toContain("denied by the operator");
    expect(r.askable).toBeUndefined();
  });

  test("a host outside the allowlist is refused but askable, with the entry an allow would add", () => {
    const r = planRequest(only(["other.com"]), head("GET http://plain.test:8080/x HTTP/1.1\nHost: plain.test:8080"));
    expect(r.kind === "refuse" && r.askable).toEqual({ entry: "plain.test:8080" });
    const t = planRequest(only([]), head("GET / HTTP/1.1\nHost: example.com"), tunnel("example.com"));
    expect(t.kind === "refuse" && t.askable).toEqual({ entry: "example.com" });
  });

  test("a wildcard deny covers subdomains; a deny with a port only that port", () => {
    expect(planRequest(only(["*"], ["*.evil.test"]), head("GET / HTTP/1.1\nHost: a.evil.test"), tunnel("a.evil.test")).kind).toBe("refuse");
    expect(planRequest(only(["*:8443", "*"], ["x.test:8443"]), head("GET / HTTP/1.1\nHost: x.test"), tunnel("x.test")).kind).toBe("forward");
  });
});
