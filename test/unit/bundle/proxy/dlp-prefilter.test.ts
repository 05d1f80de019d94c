// The scanner's shortcuts must not change what it finds: the hint gates (on
// bytes or on the string, with and without case), the base64 run finder and
// the byte-backed literal searches are compared here against plain
// references — every regex run over the whole text, the original run regex,
// String.prototype.includes — on adversarial inputs. Fake tokens are
// assembled from pieces so this file does not itself look like a leak.
import { describe, expect, test } from "bun:test";
import { SECRET_PATTERNS, type SecretPattern } from "../../../../src/bundle/proxy/dlp/patterns.ts";
import { base64Runs, contains, decodedSegments, indexIn, TextBytes } from "../../../../src/bundle/proxy/dlp/decode.ts";
import { allPatternMatches, BODY_OVERLAP, BODY_WINDOW, scanBody, scanParts, type ScanPolicy } from "../../../../src/bundle/proxy/dlp/scan.ts";

const j = (...p: string[]) => p.join("");
const A36 = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A";
const SECRET40 = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
// One or more real matches per pattern, and near misses around every hint.
const TOKENS = [
  j("AKIA", "IOSFODNN7EXAMPLE"),
  j("aws_secret_access_key = ", SECRET40),
  j("AwS_SeCrEt_AcCeSs_KeY=", SECRET40),
  j('"SECRETACCESSKEY": "', SECRET40, '"'),
  j("sEcReT_aCcEsS_kEy:", SECRET40),
  j("gh", "p_", A36),
  j("github", "_pat_", "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
  j("gl", "pat-", "abcdefghij0123456789"),
  j("sk-", "ant-api03-", "abcdefghijklmnopqrstuvwxyz0123456789"),
  j("sk-", "proj-", "abcdefghijklmnopqrstuvwxyz012345"),
  j("sk-", "abcdefghijklmnopqrstuvwxyzABCDEF0123456789"),
  j("xo", "xb-", "123456789012-1234567890123-abcdefghij"),
  j("https://hooks.slack.com/services/", "T0000000/B0000000/XXXXXXXXXXXXXXXX"),
  j("-----BEGIN ", "RSA PRIVATE KEY-----"),
  j("eyJhbGciOiJIUzI1NiJ9", ".", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", ".", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
  j("sk_", "live_", "abcdefghijklmnopqrstuvwx"),
  j("AI", "za", "SyA-abcdefghijklmnopqrstuvwxyz01234"),
  j("np", "m_", A36),
  j("h", "f_", "abcdefghijklmnopqrstuvwxyzABCDEFGH"),
  j("pypi-", "AgEIcHlwaS5vcmc", "a".repeat(60)),
  j("SG", ".", "a".repeat(22), ".", "b".repeat(43)),
  j("S", "K", "0123456789abcdef0123456789abcdef"),
  "4111 1111 1111 1111",
  // Near misses: a hint with the rest wrong, case-changed hints (hints are case-sensitive where the regex is).
  "akia" + "IOSFODNN7EXAMPLE",
  "GHP_" + A36,
  "Sk-" + "abcdefghijklmnopqrstuvwxyzABCDEF0123456789",
  "secre t_access_key=" + SECRET40,
  "s\u00e9cret_access_key=" + SECRET40,
];

/** Reference: every pattern's regex over the whole text, no gate. */
function reference(text: string, patterns: readonly SecretPattern[]) {
  const out: { id: string; start: number; end: number }[] = [];
  for (const p of patterns) {
    const re = new RegExp(p.re.source, p.re.flags);
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) re.lastIndex++;
      if (p.validate && !p.validate(m[0])) continue;
      out.push({ id: p.id, start: m.index, end: m.index + m[0].length });
    }
  }
  return out;
}

/** Deterministic pseudo-random generator for the fuzz cases. */
function rng(seed: number) {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("hint gates find exactly what the plain regexes find", () => {
  const fillers = ["", "lorem ipsum ", "x", "-_", "=", "\u0000\u00ff", "é"];
  test("each token alone, at the start and end of text, and between fillers", () => {
    for (const t of TOKENS) {
      for (const f of fillers) {
        for (const text of [t, f + t, t + f, f + " " + t + " " + f, f.repeat(50) + t + f.repeat(50)]) {
          const bytes = Buffer.from(text, "latin1");
          const latin1 = bytes.toString("latin1") === text;
          const want = reference(text, SECRET_PATTERNS);
          expect(allPatternMatches(text, SECRET_PATTERNS)).toEqual(want);
          if (latin1) expect(allPatternMatches(text, SECRET_PATTERNS, bytes)).toEqual(want);
        }
      }
    }
  });

  test("random mixes of hint fragments, case changes and separators", () => {
    const next = rng(42);
    const atoms = [...TOKENS, ...SECRET_PATTERNS.flatMap((p) => [...(p.hints ?? []), ...(p.hintsIgnoreCase ?? [])]), " ", "\n", "=", ":", '"', "/", "+", "_", "-", "0", "a", "Z", "%41", "\\u0041"];
    for (let n = 0; n < 400; n++) {
      let text = "";
      const parts = 1 + Math.floor(next() * 12);
      for (let i = 0; i < parts; i++) {
        let a = atoms[Math.floor(next() * atoms.length)]!;
        const r = next();
        if (r < 0.15) a = a.toUpperCase();
        else if (r < 0.3) a = a.toLowerCase();
        else if (r < 0.4) a = a.slice(0, Math.floor(next() * a.length));
        text += a;
      }
      const want = reference(text, SECRET_PATTERNS);
      expect(allPatternMatches(text, SECRET_PATTERNS)).toEqual(want);
      expect(allPatternMatches(text, SECRET_PATTERNS, Buffer.from(text, "latin1"))).toEqual(want);
    }
  });

  test("every case-free hint occurs in every real match of its pattern", () => {
    for (const p of SECRET_PATTERNS.filter((x) => x.hintsIgnoreCase)) {
      for (const t of TOKENS) for (const m of reference(t, [p])) {
        const found = t.slice(m.start, m.end).toLowerCase();
        expect(p.hintsIgnoreCase!.some((h) => found.includes(h.toLowerCase()))).toBe(true);
      }
    }
  });
});

describe("base64Runs", () => {
  const RE = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}/g;
  const ref = (t: string) => [...t.matchAll(RE)].map((m) => [m.index!, m.index! + m[0].length]);
  test("matches the run regex on edges and random text", () => {
    const cases = ["", "a".repeat(19), "a".repeat(20), "a".repeat(21), " " + "a".repeat(20), "a".repeat(20) + "=", "é" + "b".repeat(25) + "\u0100" + "c".repeat(20), "x".repeat(19) + " " + "y".repeat(19)];
    const both = (t: string) => {
      expect(base64Runs(t)).toEqual(ref(t) as [number, number][]);
      // On the bytes of a latin1 text: the same runs.
      if (Buffer.from(t, "latin1").toString("latin1") === t) expect(base64Runs(t, new TextBytes(Buffer.from(t, "latin1")))).toEqual(ref(t) as [number, number][]);
    };
    for (const c of cases) both(c);
    const next = rng(7);
    const alphabet = "aZ09+/_-= .\n%\u00e9\u0100\u00ff";
    for (let n = 0; n < 2000; n++) {
      let t = "";
      const len = Math.floor(next() * 200);
      // Long runs of one class, then switches: runs around the 20-character threshold are common.
      while (t.length < len) t += alphabet[Math.floor(next() * alphabet.length)]!.repeat(1 + Math.floor(next() * 25));
      both(t);
    }
  });
});

describe("byte-backed literal search", () => {
  test("agrees with String includes / indexOf, including needles past latin1", () => {
    const text = "abc %41 \\u0041 &#65; \u00ef\u00bc\u00a1 caf\u00e9 \u00ff\u0000 end";
    const bytes = new TextBytes(Buffer.from(text, "latin1"));
    for (const needle of ["%", "\\u", "\\x", "&#", "\u00ef\u00bc", "\u00ef\u00bd", "caf\u00e9", "\u00ff\u0000", "\u0100", "\u01ff", "end", "zzz", "\u4141"]) {
      expect(contains(text, needle, bytes)).toBe(text.includes(needle));
      for (const from of [0, 5, 20, text.length]) expect(indexIn(text, needle, from, bytes)).toBe(text.indexOf(needle, from));
    }
  });

  test("decoded segments are the same with and without the bytes", () => {
    const text = "q=%67%68%70%5f x \\u0067\\u0068 &#103;&#104; \u00ef\u00bc\u00a7\u00ef\u00bd\u0088 " + Buffer.from("gh" + "p_" + A36).toString("base64") + " " + Buffer.from("hello world, hex view").toString("hex");
    const bytes = new TextBytes(Buffer.from(text, "latin1"));
    expect(decodedSegments(text, 1 << 20, false, bytes)).toEqual(decodedSegments(text, 1 << 20, false));
  });
});

describe("windowed scan with bytes finds what a whole-text scan finds", () => {
  const policy: ScanPolicy = { patterns: SECRET_PATTERNS, secrets: [{ name: "OP", value: "operator-secret-value-123" }], foreignPlaceholders: [{ name: "other.example", value: "PLACEHOLDER-other-0123456789" }], ownPlaceholders: [] };
  const step = BODY_WINDOW - BODY_OVERLAP;
  const needles = [...TOKENS.slice(0, 23), "operator-secret-value-123", Buffer.from("operator-secret-value-123").toString("base64"), "PLACEHOLDER-other-0123456789"];
  // Hints and tokens across a window's nominal end, its space-extended end and the next window's start.
  for (const at of [0, BODY_WINDOW - 3, BODY_WINDOW - 1, BODY_WINDOW + 2, step - 4, step + 1]) {
    test(`needles at offset ${at}`, () => {
      for (const n of needles) {
        const b = Buffer.alloc(3 * BODY_WINDOW, "lorem ipsum ");
        b.write(" " + n + " ", at, "latin1");
        const whole = scanParts([{ where: "b", text: b.toString("latin1") }], policy);
        const windowed = scanBody(b, "b", policy);
        expect(windowed?.id).toBeDefined();
        expect(windowed?.id).toBe(whole?.id);
      }
    });
  }
});
