// Adversarial tables for the decoders and the scanner: every form a secret
// can take on the way out, the forms that must stay quiet, and the bounds.
import { describe, expect, test } from "bun:test";
import { brotliCompressSync, deflateSync, gzipSync, zstdCompressSync } from "node:zlib";
import { decodedSegments, percentDecode, unescapeLiterals } from "../../../../src/bundle/proxy/dlp/decode.ts";
import { encodedForms, findAll, scanBody, scanParts, SECRET_PATTERNS, TooLargeToScan, type ScanPolicy } from "../../../../src/bundle/proxy/dlp/scan.ts";
import { redactBody, redactText } from "../../../../src/bundle/proxy/dlp/redact.ts";

const AWS = ["AKIA", "IOSFODNN7EXAMPLQ"].join("");
const SECRET = "operator-secret-value-xyz";
const OTHER_PH = ["sk-proj-", "PLACEHOLDERabcdefghijklmnop"].join("");
const OWN_PH = ["sk-ant-api03-", "OWNplaceholderOWNplaceholder"].join("");
const policy: ScanPolicy = {
  patterns: SECRET_PATTERNS,
  secrets: [{ name: "OPSEC", value: SECRET }],
  foreignPlaceholders: [{ name: "api.openai.com", env: "OPENAI_API_KEY", value: OTHER_PH }],
  ownPlaceholders: [OWN_PH],
};
const b64 = (s: string | Buffer) => Buffer.from(s as string).toString("base64");
const hex = (s: string) => Buffer.from(s).toString("hex");
const pctAll = (s: string) => [...s].map((c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join("");

const FORMS: [string, (s: string) => string][] = [
  ["raw", (s) => s],
  ["percent (every char)", pctAll],
  ["percent (one char)", (s) => s.slice(0, 2) + pctAll(s[2]!) + s.slice(3)],
  ["double percent", (s) => pctAll(pctAll(s))],
  ["base64, aligned", (s) => b64(s)],
  ["base64 at byte offset 1", (s) => b64("=" + s)],
  ["base64 at byte offset 2", (s) => b64(": " + s)],
  ["base64 after a stray base64 char (off the 4-char grid)", (s) => "Q" + b64(" " + s)],
  ["base64url", (s) => Buffer.from("\xfb\xff " + s, "latin1").toString("base64url")],
  ["base64 inside JSON", (s) => JSON.stringify({ data: b64("k=" + s) })],
  ["hex lower", hex],
  ["hex upper", (s) => hex(s).toUpperCase()],
  ["hex at a nibble offset", (s) => "f" + hex(s)],
  ["hex glued to other token chars", (s) => "x-" + hex(s)],
  ["JSON \\u escapes", (s) => JSON.stringify(s).replace(/[A-Z]/g, (c) => "\\u00" + c.charCodeAt(0).toString(16))],
  ["\\x escapes", (s) => s.replace(/[A-Z]/g, (c) => "\\x" + c.charCodeAt(0).toString(16))],
  ["HTML character references", (s) => [...s].map((c) => `&#${c.charCodeAt(0)};`).join("")],
  ["base64 of percent-encoding", (s) => b64(pctAll(s))],
  ["hex of base64", (s) => hex(b64(" " + s))],
  ["base64 of gzip", (s) => b64(gzipSync(Buffer.from(" " + s)))],
  // Unicode look-alikes NFKC folds to ASCII, as the UTF-8 bytes the proxy sees (latin1 text).
  ["fullwidth forms", (s) => Buffer.from(s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)), "utf8").toString("latin1")],
  ["fullwidth digits only", (s) => Buffer.from(s.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)), "utf8").toString("latin1")],
  ["mathematical bold letters", (s) => Buffer.from(s.replace(/[A-Z]/g, (c) => String.fromCodePoint(0x1d400 + c.charCodeAt(0) - 65)), "utf8").toString("latin1")],
  // What `base64 file` prints (76 columns), PEM/MIME (64, CRLF), and the same inside a JSON string.
  ["base64 wrapped at 76 columns, across the break", (s) => b64("x".repeat(49) + " " + s).replace(/.{76}/g, "$&\n")],
  ["base64 wrapped at 64 columns with CRLF and padding", (s) => b64("y".repeat(39) + " " + s + " z").replace(/.{64}/g, "$&\r\n")],
  ["wrapped base64 inside a JSON string", (s) => JSON.stringify({ file: b64("x".repeat(49) + " " + s).replace(/.{76}/g, "$&\n") })],
];

describe.each([
  ["an AWS key (pattern)", AWS, "aws-access-key"],
  ["an operator secret", SECRET, "OPSEC"],
  ["another route's placeholder", OTHER_PH, "api.openai.com"],
])("%s is found", (_what, value, id) => {
  test.each(FORMS)("%s", (_how, enc) => {
    const f = scanParts([{ where: "the body", text: `prefix ${enc(value)} suffix` }], policy);
    expect(f?.id).toBe(id);
    expect(f?.message).not.toContain(value);
  });
});

describe("wrapped base64: the key across a line break at every offset", () => {
  test("76 columns, every offset of the key against the break, raw and JSON-escaped", () => {
    for (let pad = 0; pad < 60; pad++) {
      const wrapped = b64("p".repeat(pad) + " " + AWS + " tail of the file").replace(/.{76}/g, "$&\n");
      expect(scanParts([{ where: "b", text: wrapped }], policy)?.id).toBe("aws-access-key");
      expect(scanParts([{ where: "b", text: JSON.stringify(wrapped) }], policy)?.id).toBe("aws-access-key");
    }
  });
  test("a wrapped blob is redacted whole", () => {
    const wrapped = b64("x".repeat(49) + " " + AWS).replace(/.{76}/g, "$&\n");
    const r = redactBody(Buffer.from(`{"t":${JSON.stringify(wrapped)}}`), "b", policy);
    expect("body" in r && r.body.toString()).toBe('{"t":"[REDACTED:aws-access-key]"}');
  });
  test("ordinary multi-line text stays quiet", () => {
    const text = Array.from({ length: 200 }, (_, i) => `const someLongIdentifierNumber${i} = anotherLongIdentifierName${i};`).join("\n");
    expect(scanParts([{ where: "b", text }], policy)).toBeUndefined();
  });
});

describe("a small encoded blob that decodes past the scan budget is refused, not skipped", () => {
  // 2 MiB of spaces and a key, gzipped and base64'd: under 3 KB sent, far over 8× + 1 MiB decoded.
  const blob = b64(gzipSync(Buffer.from(" ".repeat(2 * 1024 * 1024) + " " + AWS + " ")));
  test.each([
    ["a header value", () => scanParts([{ where: "h", text: blob }], policy)],
    ["a JSON body", () => scanBody(Buffer.from(JSON.stringify({ file: blob })), "b", policy)],
    ["a body being redacted", () => redactBody(Buffer.from(JSON.stringify({ file: blob })), "b", policy)],
  ])("in %s", (_where, run) => {
    expect(run).toThrow(TooLargeToScan);
  });
  test("one that fits the budget is still scanned and found", () => {
    const small = b64(gzipSync(Buffer.from(" ".repeat(256 * 1024) + " " + AWS + " ")));
    expect(scanParts([{ where: "h", text: small }], policy)?.id).toBe("aws-access-key");
  });
});

describe("compressed payloads are recognised by their bytes, without a Content-Encoding", () => {
  test.each([
    ["gzip", gzipSync],
    ["deflate (zlib)", deflateSync],
    ["brotli (no magic bytes)", brotliCompressSync],
    ["zstd", zstdCompressSync],
  ] as const)("%s", (_n, compress) => {
    expect(scanBody(compress(Buffer.from(`{"log":"${AWS}"}`)), "the body", policy)?.id).toBe("aws-access-key");
  });
  test("nested: gzip of base64 of gzip", () => {
    const inner = b64(gzipSync(Buffer.from(`k=${AWS}`)));
    expect(scanBody(gzipSync(Buffer.from(inner)), "b", policy)?.id).toBe("aws-access-key");
  });
  test("a decompression bomb is refused, not inflated without bound", () => {
    expect(() => scanBody(gzipSync(Buffer.alloc(64 * 1024 * 1024)), "b", policy)).toThrow(TooLargeToScan);
  });
});

describe("quiet on ordinary traffic", () => {
  test.each([
    ["prose", "please fix the failing test in src/main.ts"],
    ["identifiers and a UUID", "getElementByIdentifierXYZ id=550e8400-e29b-41d4-a716-446655440000"],
    ["a git SHA and a hash", "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    ["a URL with percent-escapes", "https://example.com/search?q=hello%20world&lang=en%2Dus"],
    ["base64 of ordinary text", b64("the quick brown fox jumps over the lazy dog")],
    ["this route's own placeholder, raw and encoded", `${OWN_PH} ${b64(OWN_PH)}`],
    ["binary noise", Buffer.from(crypto.getRandomValues(new Uint8Array(4096))).toString("latin1")],
  ])("%s", (_n, text) => {
    expect(scanParts([{ where: "b", text }], policy)).toBeUndefined();
  });
});

describe("redaction", () => {
  test("each finding becomes its marker; text around it is untouched", () => {
    const r = redactText(`a ${AWS} b ${OTHER_PH} c ${SECRET} d ${OWN_PH}`, "body", policy);
    expect(r.text).toBe(`a [REDACTED:aws-access-key] b [PLACEHOLDER:OPENAI_API_KEY] c [REDACTED:OPSEC] d ${OWN_PH}`);
  });
  test.each(FORMS.filter(([n]) => n !== "raw"))("an encoded finding (%s) is replaced with its whole encoded run", (_n, enc) => {
    const text = `{"x":"${enc(AWS).replace(/"/g, "'")}","y":"keep me"}`;
    const r = redactText(text, "body", policy);
    expect(r.findings.length).toBeGreaterThan(0);
    expect(scanParts([{ where: "b", text: r.text }], policy)).toBeUndefined();
    expect(r.text).toContain('"y":"keep me"');
  });
  test("bytes outside ASCII survive (latin1 in and out)", () => {
    const body = Buffer.from(`héllo ✓ ${AWS} 日本`, "utf8");
    const r = redactBody(body, "b", policy);
    expect("body" in r && r.body.toString("utf8")).toBe("héllo ✓ [REDACTED:aws-access-key] 日本");
  });
  test("a compressed body with a finding cannot be redacted in place", () => {
    expect(redactBody(gzipSync(Buffer.from(AWS)), "b", policy)).toHaveProperty("unredactable");
  });
  test("overlapping findings merge into one marker", () => {
    const p2: ScanPolicy = { ...policy, secrets: [{ name: "T", value: `token ${AWS}` }] };
    const hits = findAll(`x token ${AWS} y`, "b", p2);
    expect(hits.length).toBe(1);
    expect(redactText(`x token ${AWS} y`, "b", p2).text).toBe("x [REDACTED:T] y");
  });
});

describe("decoders are linear on adversarial input", () => {
  test.each([
    ["a long run with a stray %", "a".repeat(500_000) + "%zz" + "b".repeat(500_000)],
    ["a long token run with one \\u escape", "A".repeat(500_000) + "\\u0041" + "B".repeat(500_000)],
    ["many short percent runs", "%41 ".repeat(200_000)],
    ["one 1 MB base64 run", b64(Buffer.alloc(750_000, 7))],
  ])("%s", (_n, text) => {
    const t = performance.now();
    scanParts([{ where: "b", text }], policy);
    // Generous: a quadratic decoder would take minutes here.
    expect(performance.now() - t).toBeLessThan(5000);
  });
});

test("helpers", () => {
  expect(percentDecode("a%41%zz")).toBe("aA%zz");
  expect(unescapeLiterals("\\u0041\\x42&#67;&#x44;")).toBe("ABCD");
  expect(decodedSegments("nothing here", 1024)).toEqual([]);
  const forms = encodedForms("abcdefghij");
  expect(forms.get("hex")).toBe(hex("abcdefghij"));
  for (const k of [0, 1, 2]) expect(b64("\0\0".slice(0, k) + "abcdefghij")).toContain(forms.get(`b64-${k}`)!);
});
