// Large bodies are scanned in windows: an encoded run longer than a window
// (a base64 / hex / percent-encoded compressed blob, base64 wrapped in lines)
// must still be decoded whole, wherever the window edges fall. Fake tokens are
// assembled from pieces so this file does not itself look like a leak.
import { describe, expect, test } from "bun:test";
import { deflateSync, gzipSync } from "node:zlib";
import { SECRET_PATTERNS } from "../../../../src/bundle/proxy/dlp/patterns.ts";
import { BODY_OVERLAP, BODY_WINDOW, scanBody, windowEnd, type ScanPolicy } from "../../../../src/bundle/proxy/dlp/scan.ts";

const TOKEN = ["gh", "p_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"].join("");
const policy: ScanPolicy = { patterns: SECRET_PATTERNS, secrets: [], foreignPlaceholders: [], ownPlaceholders: [] };

/** Deterministic incompressible filler (hex of an LCG), so a compressed blob stays large. */
function filler(n: number, seed = 1): string {
  let x = seed;
  let out = "";
  while (out.length < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out += x.toString(16).padStart(8, "0");
  }
  return out.slice(0, n);
}

/** A secret deep inside a compressed stream whose encoded form is longer than a window. */
function bigCompressed(at: number): Buffer {
  const plain = filler(at) + " " + TOKEN + " " + filler(400_000, 7);
  return gzipSync(Buffer.from(plain));
}

function wrap(b64: string, width: number, br: string): string {
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return lines.join(br);
}

describe("scanBody: encoded runs longer than a window", () => {
  const cases: [string, (z: Buffer) => string][] = [
    ["base64", (z) => z.toString("base64")],
    ["base64url", (z) => z.toString("base64url")],
    ["hex", (z) => z.toString("hex")],
    ["percent-encoding", (z) => [...z].map((b) => "%" + b.toString(16).padStart(2, "0")).join("")],
    // Inside the JSON body below, line breaks arrive as the escapes \n and \r\n.
    ["base64 wrapped at 76 columns", (z) => wrap(z.toString("base64"), 76, "\n")],
    ["base64 wrapped at 64 columns with CRLF", (z) => wrap(z.toString("base64"), 64, "\r\n")],
  ];
  for (const [how, encode] of cases) {
    // The blob starts at several offsets so a window edge falls before, inside and after the secret.
    for (const lead of [0, 1000, BODY_WINDOW - 100, BODY_WINDOW - BODY_OVERLAP + 5]) {
      test(`${how}, blob after ${lead} bytes of text`, () => {
        const blob = encode(bigCompressed(150_000));
        expect(blob.length).toBeGreaterThan(BODY_WINDOW);
        const body = Buffer.from(JSON.stringify({ note: "lorem ipsum ".repeat(Math.ceil(lead / 12)).slice(0, lead), data: blob, tail: "dolor sit amet ".repeat(20_000) }));
        const f = scanBody(body, "the request body", policy);
        expect(f?.id).toBe("github-token");
      });
    }
  }

  test("base64 wrapped in raw lines (no JSON), crossing two windows", () => {
    const blob = wrap(bigCompressed(100_000).toString("base64"), 76, "\n");
    const body = Buffer.from("lorem ipsum ".repeat(20_000) + "\n" + blob + "\n" + "dolor sit ".repeat(10_000));
    expect(scanBody(body, "b", policy)?.id).toBe("github-token");
  });

  test("zlib inside base64, the secret near the end of a 1 MiB run", () => {
    const z = deflateSync(Buffer.from(filler(700_000, 3) + " " + TOKEN));
    const body = Buffer.from("payload=" + z.toString("base64") + " end");
    expect(scanBody(body, "b", policy)?.id).toBe("github-token");
  });

  test("a body without spaces is scanned as one window", () => {
    const body = Buffer.from("x".repeat(3 * BODY_WINDOW) + TOKEN.replace("gh", ",gh"));
    expect(windowEnd(body, BODY_WINDOW)).toBe(body.length);
    expect(scanBody(body, "b", policy)?.id).toBe("github-token");
  });

  test("windowEnd stops at the first space at or after the nominal end", () => {
    const body = Buffer.from("a".repeat(10) + " " + "b".repeat(10) + " c");
    expect(windowEnd(body, 0)).toBe(10);
    expect(windowEnd(body, 10)).toBe(10);
    expect(windowEnd(body, 11)).toBe(21);
    expect(windowEnd(body, 22)).toBe(body.length);
    expect(windowEnd(body, 99)).toBe(body.length);
  });

  test("clean large bodies with long runs still pass", () => {
    const body = Buffer.from(JSON.stringify({ data: gzipSync(Buffer.from(filler(600_000, 5))).toString("base64"), text: "lorem ipsum ".repeat(50_000) }));
    expect(scanBody(body, "b", policy)).toBeUndefined();
  });
});

describe("scanBody: matches with spaces longer than the windows' overlap", () => {
  const KEY40 = ["wJalrXUtnFEMI/K7MDENG", "/bPxRfiCYEXAMPLEKEY"].join("");
  const long: [string, string][] = [
    ["a private-key header padded with words", "-----BEGIN " + "A ".repeat(20_000) + ["PRIVATE", "KEY-----"].join(" ")],
    ["an AWS key name and value 40 KB of spaces apart", "aws_secret_access_key" + " ".repeat(40_000) + "= " + KEY40],
    ["the same with mixed case and tabs and spaces", "SeCrEt_AcCeSs_KeY" + " \t".repeat(20_000) + ": " + KEY40],
  ];
  for (const [what, needle] of long) {
    // A miss needs a match that starts more than the overlap before a window's end and ends after it.
    for (const lead of [0, BODY_WINDOW - 20_000, BODY_WINDOW - 30_000, 2 * BODY_WINDOW - BODY_OVERLAP - 20_000]) {
      test(`${what}, after ${lead} bytes`, () => {
        const body = Buffer.from("lorem ipsum ".repeat(Math.ceil(lead / 12)).slice(0, lead) + needle + " dolor sit".repeat(40_000));
        expect(scanBody(body, "b", policy)?.id).toBe(SECRET_PATTERNS.find((p) => needle.toLowerCase().includes("private") ? p.id === "private-key" : p.id === "aws-secret-key")!.id);
      });
    }
  }

  test("only patterns known to hold spaces may be longer than the overlap", () => {
    // A pattern that can match a space is either run whole (longWithSpaces) or bounded well under the overlap.
    const spacey = SECRET_PATTERNS.filter((p) => /\\s| |\[[^\]]* [^\]]*\]/.test(p.re.source)).map((p) => p.id);
    expect(spacey.sort()).toEqual(["aws-secret-key", "card-number", "private-key"]);
    expect(SECRET_PATTERNS.filter((p) => p.longWithSpaces).map((p) => p.id).sort()).toEqual(["aws-secret-key", "private-key"]);
    // card-number: at most 19 digits and 18 separators.
    expect(SECRET_PATTERNS.find((p) => p.id === "card-number")!.re.source).toContain("{12,18}");
  });

  test("a clean large body with a hint is read whole once and passes", () => {
    const body = Buffer.from("lorem ipsum ".repeat(60_000) + " the secret of PRIVATE KEY handling " + "dolor ".repeat(60_000));
    expect(scanBody(body, "b", policy)).toBeUndefined();
  });
});
