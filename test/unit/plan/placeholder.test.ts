import { describe, expect, test } from "bun:test";
import { cryptoRandom, makePlaceholder } from "../../../src/plan/placeholder.ts";

/** Deterministic bytes: 0, 1, 2, … (shifted by `seed`). */
const counting = (seed = 0) => (n: number) => Uint8Array.from({ length: n }, (_, i) => (i + seed) % 256);

// Realistic shapes (not real credentials): prefix, length, separators, alphabet.
const ANTHROPIC = "sk-ant-api03-" + "Ab3dE_fGh1-jK".repeat(7) + "xy-zAA";
const ANTHROPIC_OAUTH = "sk-ant-oat01-" + "Q9w_E8r-T7y".repeat(8) + "AA";
const OPENAI = "sk-proj-" + "aB1_cD2-eF3gH4".repeat(11) + "T3BlbkFJ" + "iJ5kL6".repeat(4);
const GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0".repeat(2).slice(0, 36);
const GITHUB_PAT = "github_pat_11ABCDEFG0" + "abc123_XYZ".repeat(8);
const SLACK = "xoxb-293847561029-4827364519283-AbCdEfGhIjKlMnOpQrStUvWx";

/** Character class at each position: A upper, a lower, 9 digit, anything else itself. */
const shape = (s: string) => s.replace(/[A-Z]/g, "A").replace(/[a-z]/g, "a").replace(/[0-9]/g, "9");

describe("makePlaceholder", () => {
  test.each([
    ["Anthropic API key", ANTHROPIC, "sk-ant-api03-"],
    ["Anthropic OAuth token", ANTHROPIC_OAUTH, "sk-ant-oat01-"],
    ["OpenAI project key", OPENAI, "sk-proj-"],
    ["GitHub classic token", GITHUB, "ghp_"],
    ["GitHub fine-grained token", GITHUB_PAT, "github_pat_"],
    ["Slack bot token", SLACK, "xoxb-"],
  ])("%s: keeps prefix, length and per-position shape, never equals the real token", (_kind, real, prefix) => {
    for (const random of [counting(0), counting(7), cryptoRandom]) {
      const p = makePlaceholder(real, random);
      expect(p.startsWith(prefix)).toBe(true);
      expect(p.length).toBe(real.length);
      expect(shape(p)).toBe(shape(real));
      expect(p).not.toBe(real);
      // The secret part shares no long run with the real one.
      expect(p.includes(real.slice(prefix.length, prefix.length + 12))).toBe(false);
    }
  });

  test("Slack ids stay digits, so `xoxb-<digits>-<digits>-<alnum>` shape checks still pass", () => {
    expect(makePlaceholder(SLACK, cryptoRandom)).toMatch(/^xoxb-\d{12}-\d{13}-[A-Za-z]{24}$/);
  });

  test("is deterministic for the same bytes and differs for different bytes", () => {
    expect(makePlaceholder(ANTHROPIC, counting(3))).toBe(makePlaceholder(ANTHROPIC, counting(3)));
    expect(makePlaceholder(ANTHROPIC, counting(3))).not.toBe(makePlaceholder(ANTHROPIC, counting(4)));
  });

  test("a random source that reproduces the real token still yields a different placeholder", () => {
    // Bytes chosen so every position maps back to the real character: the worst case.
    const real = "ghp_" + "A".repeat(36);
    const p = makePlaceholder(real, (n) => new Uint8Array(n)); // byte 0 → "A" in the upper-case pool
    expect(p).not.toBe(real);
    expect(p.length).toBe(real.length);
    expect(p.startsWith("ghp_")).toBe(true);
  });

  test.each([
    ["a short unknown secret", "hunter2", 24],
    ["an empty secret", "", 24],
    ["a long opaque token", "x".repeat(80), 80],
  ])("%s gets a placeholder of at least 24 random characters", (_w, real, len) => {
    const p = makePlaceholder(real, cryptoRandom);
    expect(p.length).toBe(len);
    expect(p).toMatch(/^[A-Za-z0-9]+$/);
    expect(p).not.toBe(real);
  });

  test("keeps non-alphanumeric separators such as '.' in JWT-like tokens", () => {
    const jwt = "eyJhbGciOi.eyJzdWIiOiIx.SflKxwRJSMeKKF2QT4";
    expect(shape(makePlaceholder(jwt, cryptoRandom))).toBe(shape(jwt));
  });

  test("cryptoRandom returns the requested number of bytes, differently each time", () => {
    const a = cryptoRandom(32);
    expect(a.length).toBe(32);
    expect(Buffer.from(a).equals(Buffer.from(cryptoRandom(32)))).toBe(false);
  });
});
