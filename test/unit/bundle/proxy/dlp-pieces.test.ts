// A body scanned in the pieces it arrived in must give exactly what the
// joined body gives: same windows, same bytes, same findings, wherever the
// piece boundaries fall (empty pieces, one-byte pieces, boundaries inside a
// token, a window edge or a compressed payload's magic bytes).
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { Pieces } from "../../../../src/bundle/proxy/dlp/pieces.ts";
import { SECRET_PATTERNS } from "../../../../src/bundle/proxy/dlp/patterns.ts";
import { BODY_OVERLAP, BODY_WINDOW, scanBody, windowEnd, type ScanPolicy } from "../../../../src/bundle/proxy/dlp/scan.ts";

const TOKEN = ["gh", "p_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"].join("");
const policy: ScanPolicy = { patterns: SECRET_PATTERNS, secrets: [{ name: "OP", value: "operator-secret-value-123" }], foreignPlaceholders: [], ownPlaceholders: [] };

function rng(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** body cut at random places (some pieces empty, some one byte). */
function split(body: Buffer, next: () => number, maxPiece: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const r = next();
    const n = r < 0.1 ? 0 : r < 0.2 ? 1 : Math.ceil(next() * maxPiece);
    out.push(body.subarray(at, Math.min(body.length, at + n)));
    at += n;
  }
  if (next() < 0.5) out.push(Buffer.alloc(0));
  return out;
}

describe("Pieces", () => {
  test("indexOfByte, range and join agree with the joined buffer", () => {
    const next = rng(3);
    for (let n = 0; n < 200; n++) {
      const body = Buffer.from(Array.from({ length: Math.floor(next() * 400) }, () => (next() < 0.1 ? 0x20 : 0x61 + Math.floor(next() * 3))));
      const p = new Pieces(split(body, next, 40));
      expect(p.length).toBe(body.length);
      expect(p.join().equals(body)).toBe(true);
      const scratch = {};
      for (let k = 0; k < 20; k++) {
        const from = Math.floor(next() * (body.length + 2));
        expect(p.indexOfByte(0x20, from)).toBe(from >= body.length ? -1 : body.indexOf(0x20, from));
        const s = Math.floor(next() * body.length);
        const e = s + Math.floor(next() * (body.length - s));
        expect(p.range(s, e, scratch).equals(body.subarray(s, e))).toBe(true);
        expect(windowEnd(p, from)).toBe(windowEnd(body, from));
      }
    }
  });
});

describe("scanBody over pieces finds what it finds over the joined body", () => {
  const step = BODY_WINDOW - BODY_OVERLAP;
  const bodies: [string, Buffer][] = [];
  for (const at of [0, 100, BODY_WINDOW - 20, BODY_WINDOW + 3, step - 10, 2 * step + 7]) {
    const b = Buffer.alloc(3 * BODY_WINDOW, "lorem ipsum dolor sit amet ");
    b.write(" " + TOKEN + " ", at, "latin1");
    bodies.push([`token at ${at}`, b]);
    const c = Buffer.alloc(3 * BODY_WINDOW, "lorem ipsum ");
    c.write(" operator-secret-value-123 ", at, "latin1");
    bodies.push([`operator secret at ${at}`, c]);
  }
  bodies.push(["clean", Buffer.alloc(3 * BODY_WINDOW + 5, "lorem ipsum dolor ")]);
  bodies.push(["gzip payload", gzipSync(Buffer.from("x ".repeat(100_000) + TOKEN))]);
  bodies.push(["long base64 gzip run", Buffer.from("d=" + gzipSync(Buffer.from(Array.from({ length: 60_000 }, (_, i) => (i * 7919) % 100_003).join(",") + " " + TOKEN)).toString("base64") + " end")]);
  for (const [name, body] of bodies) {
    test(name, () => {
      const want = scanBody(body, "b", policy);
      const next = rng(body.length);
      for (const maxPiece of [3, 1000, 16 * 1024, 64 * 1024]) {
        const got = scanBody(new Pieces(split(body, next, maxPiece)), "b", policy);
        expect(got).toEqual(want);
      }
    });
  }
});
