import { describe, expect, test } from "bun:test";
import {
  HeadError,
  hopByHop,
  parseChunkSize,
  parseConnectTarget,
  parseHostHeader,
  parseRequestHead,
  parseResponseHead,
  requestFraming,
  responseFraming,
  serializeRequestHead,
  type Header,
} from "../../../../src/bundle/proxy/http-head.ts";

describe("parseConnectTarget", () => {
  test.each([
    ["example.com:443", { host: "example.com", port: 443 }],
    ["API.Example.COM:8443", { host: "api.example.com", port: 8443 }],
    ["10.0.0.1:22", { host: "10.0.0.1", port: 22 }],
    ["[::1]:443", { host: "::1", port: 443 }],
    ["under_score.example:443", { host: "under_score.example", port: 443 }],
  ])("%s", (target, want) => {
    expect(parseConnectTarget(target)).toEqual(want);
  });
  test.each(["example.com", "example.com:", "example.com:0", "example.com:65536", "example.com:443/path", "user@example.com:443", "http://example.com:443", "::1:443", " example.com:443", "ex ample.com:443"])(
    "refuses %p",
    (target) => {
      expect(() => parseConnectTarget(target)).toThrow(HeadError);
    },
  );
});

describe("parseRequestHead", () => {
  test("CONNECT head", () => {
    const h = parseRequestHead("CONNECT api.test:443 HTTP/1.1\r\nHost: api.test:443\r\nProxy-Connection: keep-alive\r\n\r\n");
    expect(h).toEqual({ method: "CONNECT", target: "api.test:443", version: "HTTP/1.1", headers: [["Host", "api.test:443"], ["Proxy-Connection", "keep-alive"]] });
  });
  test("header values are trimmed, repeated headers kept in order", () => {
    const h = parseRequestHead("GET / HTTP/1.1\r\nA:  1 \r\nA: 2\r\n\r\n");
    expect(h.headers).toEqual([["A", "1"], ["A", "2"]]);
  });
  test.each([
    ["bare LF line endings", "GET / HTTP/1.1\nHost: x\n\n"],
    ["obs-fold continuation", "GET / HTTP/1.1\r\nX-A: 1\r\n  continued\r\n\r\n"],
    ["space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"],
    ["no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n"],
    ["HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\n"],
    ["missing version", "GET /\r\n\r\n"],
    ["two spaces", "GET  / HTTP/1.1\r\n\r\n"],
    ["NUL in value", "GET / HTTP/1.1\r\nX: a\u0000b\r\n\r\n"],
    ["bare CR in value", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"],
  ])("refuses %s", (_why, head) => {
    expect(() => parseRequestHead(head)).toThrow(HeadError);
  });
});

test("parseResponseHead", () => {
  expect(parseResponseHead("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")).toEqual({ version: "HTTP/1.1", status: 200, reason: "OK", headers: [["Content-Length", "2"]] });
  expect(parseResponseHead("HTTP/1.1 204\r\n\r\n").reason).toBe("");
  expect(() => parseResponseHead("HTTP/1.1 2000 OK\r\n\r\n")).toThrow(HeadError);
});

describe("requestFraming", () => {
  test.each([
    ["no body", [], { kind: "none" }],
    ["content-length", [["Content-Length", "12"]], { kind: "length", length: 12 }],
    ["identical repeated content-length", [["Content-Length", "5"], ["content-length", "5"]], { kind: "length", length: 5 }],
    ["chunked", [["Transfer-Encoding", "chunked"]], { kind: "chunked" }],
    ["chunked, any case", [["transfer-encoding", "Chunked"]], { kind: "chunked" }],
  ] as [string, Header[], unknown][])("%s", (_why, headers, want) => {
    expect(requestFraming(headers)).toEqual(want as never);
  });
  test.each([
    ["CL and TE together (smuggling)", [["Content-Length", "5"], ["Transfer-Encoding", "chunked"]]],
    ["conflicting content-lengths", [["Content-Length", "5"], ["Content-Length", "6"]]],
    ["negative content-length", [["Content-Length", "-1"]]],
    ["non-numeric content-length", [["Content-Length", "0x10"]]],
    ["gzip transfer-encoding", [["Transfer-Encoding", "gzip, chunked"]]],
    ["chunked twice", [["Transfer-Encoding", "chunked, chunked"]]],
  ] as [string, Header[]][])("refuses %s", (_why, headers) => {
    expect(() => requestFraming(headers)).toThrow(HeadError);
  });
});

describe("responseFraming", () => {
  test.each([
    ["HEAD", "HEAD", 200, [["Content-Length", "10"]], { kind: "none" }],
    ["204", "GET", 204, [], { kind: "none" }],
    ["304", "GET", 304, [["Content-Length", "10"]], { kind: "none" }],
    ["length", "GET", 200, [["Content-Length", "10"]], { kind: "length", length: 10 }],
    ["chunked", "GET", 200, [["Transfer-Encoding", "chunked"]], { kind: "chunked" }],
    ["gzip then chunked", "GET", 200, [["Transfer-Encoding", "gzip, chunked"]], { kind: "chunked" }],
    ["TE without chunked last: read to close", "GET", 200, [["Transfer-Encoding", "gzip"]], { kind: "close" }],
    ["neither: read to close", "GET", 200, [], { kind: "close" }],
  ] as [string, string, number, Header[], unknown][])("%s", (_why, method, status, headers, want) => {
    expect(responseFraming(method, status, headers)).toEqual(want as never);
  });
});

test.each([
  ["1a", 26],
  ["0", 0],
  ["FF;ext=1", 255],
  ["10 ; name", 16],
])("parseChunkSize(%p) = %d", (line, n) => {
  expect(parseChunkSize(line)).toBe(n);
});
test.each(["", "-1", "zz", "1234567890abc", " 1"])("parseChunkSize refuses %p", (line) => {
  expect(() => parseChunkSize(line)).toThrow(HeadError);
});

test.each([
  ["api.test", { host: "api.test", port: undefined }],
  ["API.test:8443", { host: "api.test", port: 8443 }],
  ["[::1]:80", { host: "::1", port: 80 }],
  ["bad host/x", undefined],
])("parseHostHeader(%p)", (v, want) => {
  expect(parseHostHeader(v)).toEqual(want as never);
});

test("hopByHop includes headers named by Connection", () => {
  const names = hopByHop([["Connection", "keep-alive, X-Secret-Hop"]]);
  expect(names).toContain("x-secret-hop");
  expect(names).toContain("proxy-authorization");
  expect(names).toContain("transfer-encoding");
});

test("serializeRequestHead", () => {
  expect(serializeRequestHead("GET", "/a?b", [["Host", "x"], ["A", "1"]])).toBe("GET /a?b HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\n");
});

describe("parseResponseHead never quotes upstream text in its errors", () => {
  // A route upstream may echo the real credential into its head; an error message that quoted it
  // (cut at a length the scrubber cannot match) would hand it to the agent in the 502.
  const KEY = "sk-ant-api03-REALrealREALrealREALrealREALrealREAL-0123456789";
  test.each([
    ["status code", `HTTP/1.1 2000 ${KEY}\r\n\r\n`],
    ["status line", `${KEY} 200 OK\r\n\r\n`],
    ["header name", `HTTP/1.1 200 OK\r\n${KEY}@: 1\r\n\r\n`],
  ])("bad %s", (_what, head) => {
    let msg = "";
    try {
      parseResponseHead(head);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).not.toBe("");
    expect(msg).not.toContain("REAL");
  });
  test("request heads still name what was wrong (the agent's own bytes)", () => {
    expect(() => parseRequestHead("GET / HTTP/1.1\r\nBad@: 1\r\n\r\n")).toThrow('invalid header name "Bad@"');
  });
});
