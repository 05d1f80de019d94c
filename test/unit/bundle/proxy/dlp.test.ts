// Fake tokens are assembled from pieces so this file does not itself look
// like it leaks secrets to scanners.
import { describe, expect, test } from "bun:test";
import { looksLikeCard, luhnValid, SECRET_PATTERNS } from "../../../../src/bundle/proxy/dlp/patterns.ts";
import { BODY_OVERLAP, BODY_WINDOW, firstPattern, scanBody, scanParts, secretForms, type ScanPolicy } from "../../../../src/bundle/proxy/dlp/scan.ts";

const A36 = "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A";
const join = (...p: string[]) => p.join("");

const POSITIVES: [string, string][] = [
    ["aws-access-key", join("AKIA", "IOSFODNN7EXAMPLE")],
    ["aws-access-key", join("key=ASIA", "Y34FZKBOKMUTVV7A")],
    ["aws-secret-key", join("aws_secret_access_key = ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")],
    ["aws-secret-key", join('"SecretAccessKey": "', "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", '"')],
    ["aws-secret-key", join("AwS_SeCrEt_AcCeSs_KeY=", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")],
    ["github-token", join("gh", "p_", A36)],
    ["github-token", join("token gh", "s_", A36)],
    ["github-token", join("gh", "u_", A36)],
    ["github-pat", join("github", "_pat_", "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz")],
    ["gitlab-token", join("gl", "pat-", "abcdefghij0123456789")],
    ["anthropic-key", join("sk-", "ant-api03-", "abcdefghijklmnopqrstuvwxyz0123456789")],
    ["anthropic-key", join("Bearer sk-", "ant-oat01-", "abcdefghijklmnopqrstuvwx_-yz")],
    ["openai-project-key", join("sk-", "proj-", "abcdefghijklmnopqrstuvwxyz012345")],
    ["openai-key", join("sk-", "abcdefghijklmnopqrstuvwxyzABCDEF0123456789")],
    ["slack-token", join("xo", "xb-", "123456789012-1234567890123-abcdefghij")],
    ["slack-token", join("xo", "xp-", "1234567890-abcdef")],
    ["slack-webhook", join("https://hooks.slack.com/services/", "T0000000/B0000000/XXXXXXXXXXXXXXXX")],
    ["private-key", join("-----BEGIN ", "RSA PRIVATE KEY-----\nMIIE...")],
    ["private-key", join("-----BEGIN ", "OPENSSH PRIVATE KEY-----")],
    ["private-key", join("-----BEGIN ", "PRIVATE KEY-----")],
    ["private-key", join("-----BEGIN ", "EC PRIVATE KEY-----")],
    ["jwt", join("eyJhbGciOiJIUzI1NiJ9", ".", "eyJzdWIiOiIxMjM0NTY3ODkwIn0", ".", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")],
    ["stripe-key", join("sk_", "live_", "abcdefghijklmnopqrstuvwx")],
    ["stripe-key", join("rk_", "live_", "abcdefghijklmnopqrstuvwx")],
    ["google-api-key", join("AI", "za", "SyA-abcdefghijklmnopqrstuvwxyz01234")],
    ["npm-token", join("np", "m_", A36)],
    ["huggingface-token", join("h", "f_", "abcdefghijklmnopqrstuvwxyzABCDEFGH")],
    ["pypi-token", join("pypi-", "AgEIcHlwaS5vcmc", "a".repeat(60))],
    ["sendgrid-key", join("SG", ".", "a".repeat(22), ".", "b".repeat(43))],
    ["twilio-key", join("S", "K", "0123456789abcdef0123456789abcdef")],
    ["card-number", "4111111111111111"],
    ["card-number", "card: 4111 1111 1111 1111 exp 12/30"],
    ["card-number", "5555-5555-5555-4444"],
    ["card-number", "378282246310005"],
    ["card-number", "6011111111111117"],
    ["card-number", "4012888888881881"],
];

describe("built-in patterns: positives", () => {
  test.each(POSITIVES)("%s in %p", (id, text) => {
    expect(firstPattern(text, SECRET_PATTERNS)?.id).toBe(id);
  });
});

test.each(POSITIVES)("the prefilter hints of %s occur in %p (a hint missing from a real match would disable the pattern)", (id, text) => {
  const p = SECRET_PATTERNS.find((x) => x.id === id)!;
  if (p.hints) expect(p.hints.some((h) => text.includes(h))).toBe(true);
  else expect(p.re.flags).toContain("g");
});

test("every pattern has at least one positive example", () => {
  expect(new Set(POSITIVES.map(([id]) => id))).toEqual(new Set(SECRET_PATTERNS.map((p) => p.id)));
});

describe("built-in patterns: negatives (ordinary traffic)", () => {
  test.each([
    ["plain prose", "please fix the failing test in src/main.ts"],
    ["AKIA too short", "AKIA1234"],
    ["AKIA inside a longer word", join("XAKIA", "IOSFODNN7EXAMPLEX")],
    ["git SHA", "commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904"],
    ["UUID", "id=550e8400-e29b-41d4-a716-446655440000"],
    ["ghp_ too short", "ghp_abc"],
    ["sk- short word", "task sk-learn and risk-free"],
    ["sk-ant- too short", "sk-ant-short"],
    ["public key PEM", "-----BEGIN PUBLIC KEY-----"],
    ["certificate PEM", "-----BEGIN CERTIFICATE-----"],
    ["not a JWT (one segment)", "eyJhbGciOiJIUzI1NiJ9"],
    ["stripe test key", join("sk_", "test_", "abcdefghijklmnopqrstuvwx")],
    ["Luhn-invalid card", "4111111111111112"],
    ["millisecond timestamp", "ts=1763900000000"],
    ["phone number", "+1 415 555 0100"],
    ["long digit id", "order 123456789012345678901234"],
    ["decimal number", "3.14159265358979323846"],
    ["all-same digits", "0000000000000000"],
    ["base64 blob without markers", "dGhpcyBpcyBqdXN0IHNvbWUgdGV4dCB0aGF0IGlzIG5vdCBhIHNlY3JldA=="],
    ["secret access key word without a value", "set SecretAccessKey in the console"],
  ])("%s", (_why, text) => {
    expect(firstPattern(text, SECRET_PATTERNS)).toBeUndefined();
  });
});

describe("Luhn and card shapes", () => {
  test.each([
    ["4111111111111111", true],
    ["4111 1111 1111 1111", true],
    ["79927398713", true],
    ["79927398710", false],
    ["0", true],
    ["12a4", false],
  ])("luhnValid(%s) = %p", (s, want) => {
    expect(luhnValid(s)).toBe(want);
  });
  test.each([
    ["4111111111111111", true],
    ["2223000048400011", true],
    ["3530111333300000", true],
    ["30569309025904", true],
    ["9111111111111119", false],
    ["41111111111111", false],
  ])("looksLikeCard(%s) = %p", (s, want) => {
    expect(looksLikeCard(s)).toBe(want);
  });
});

describe("scanParts", () => {
  const placeholder = join("sk-", "ant-api03-", "PLACEHOLDERplaceholderPLACEHOLDER");
  const other = join("gh", "p_", A36);
  const base: ScanPolicy = { patterns: SECRET_PATTERNS, secrets: [{ name: "DB_PASSWORD", value: "hunter2-but-longer" }], foreignPlaceholders: [], ownPlaceholders: [] };

  test("findings name what and where, never the value", () => {
    const f = scanParts([{ where: "header x-debug", text: join("AKIA", "IOSFODNN7EXAMPLE") }], base);
    expect(f).toEqual({ kind: "pattern", id: "aws-access-key", message: "something that looks like a AWS access key ID in header x-debug", marker: "[REDACTED:aws-access-key]" });
    expect(JSON.stringify(f)).not.toContain("IOSFODNN7");
  });

  test.each([
    ["as-is", "pw=hunter2-but-longer"],
    ["URL-encoded", "pw=" + encodeURIComponent("hunter2-but-longer")],
    ["base64", "Basic " + Buffer.from("hunter2-but-longer").toString("base64")],
  ])("an operator secret is found %s", (_why, text) => {
    expect(scanParts([{ where: "the URL", text }], base)).toMatchObject({ kind: "secret", id: "DB_PASSWORD" });
  });

  test("the route's own placeholder is not mistaken for a key", () => {
    const policy = { ...base, ownPlaceholders: [placeholder] };
    expect(scanParts([{ where: "the URL", text: `/v1?key=${placeholder}` }], policy)).toBeUndefined();
    // …but a real-looking key next to it still is.
    expect(scanParts([{ where: "the URL", text: `${placeholder} ${join("AKIA", "IOSFODNN7EXAMPLE")}` }], policy)?.id).toBe("aws-access-key");
  });

  test("a foreign placeholder is a leak, even with patterns off", () => {
    const policy: ScanPolicy = { patterns: [], secrets: [], foreignPlaceholders: [{ name: "api.github.com", value: other }], ownPlaceholders: [] };
    expect(scanParts([{ where: "the request body", text: `{"t":"${other}"}` }], policy)).toMatchObject({ kind: "placeholder", id: "api.github.com" });
  });

  test("nothing found in clean parts", () => {
    expect(scanParts([{ where: "the URL", text: "/v1/messages" }, { where: "header accept", text: "application/json" }], base)).toBeUndefined();
  });

  test("secretForms skips forms too short to be meaningful", () => {
    expect(secretForms("abc")).toEqual([]);
    expect(secretForms("a b/c+d=e&f")).toContain("a%20b%2Fc%2Bd%3De%26f");
  });
});

describe("scanBody (windows over large bodies)", () => {
  const policy: ScanPolicy = { patterns: SECRET_PATTERNS, secrets: [{ name: "OP", value: "operator-secret-value-123" }], foreignPlaceholders: [], ownPlaceholders: [] };
  const key = join("AKIA", "IOSFODNN7EXAMPLE");
  const bodyWith = (size: number, at: number, needle: string) => {
    const b = Buffer.alloc(size, "x");
    b.write(" " + needle + " ", at, "latin1");
    return b;
  };
  const step = BODY_WINDOW - BODY_OVERLAP;
  test.each([
    ["small body", 1000, 10],
    ["at the start of a large body", 3 * BODY_WINDOW, 0],
    ["straddling the first window's end", 3 * BODY_WINDOW, BODY_WINDOW - 8],
    ["straddling the second window's start", 3 * BODY_WINDOW, step - 8],
    ["at the very end", 3 * BODY_WINDOW + 123, 3 * BODY_WINDOW + 123 - key.length - 2],
  ])("finds a key %s", (_why, size, at) => {
    expect(scanBody(bodyWith(size, at, key), "the request body", policy)?.id).toBe("aws-access-key");
  });
  test("finds an operator secret across a window boundary", () => {
    expect(scanBody(bodyWith(2 * BODY_WINDOW, BODY_WINDOW - 10, "operator-secret-value-123"), "b", policy)?.id).toBe("OP");
  });
  test("a clean large body passes", () => {
    expect(scanBody(Buffer.alloc(5 * BODY_WINDOW, "lorem ipsum "), "b", policy)).toBeUndefined();
  });
});

describe("cost", () => {
  test("a typical API request scans in under 2 ms and 1 MiB in under 250 ms, even on a busy CI machine", () => {
    const headers = [
      { where: "the URL", text: "/v1/messages?beta=true" },
      { where: "header content-type", text: "application/json" },
      { where: "header user-agent", text: "claude-cli/2.0.0 (external, cli)" },
      { where: "header anthropic-version", text: "2023-06-01" },
    ];
    const body = JSON.stringify({ model: "claude", messages: [{ role: "user", content: "Refactor the parser in src/x.ts ".repeat(200) }] });
    const policy: ScanPolicy = { patterns: SECRET_PATTERNS, secrets: [{ name: "S", value: "some-operator-secret-value" }], foreignPlaceholders: [], ownPlaceholders: [] };
    const parts = [...headers, { where: "the request body", text: body }];
    for (let i = 0; i < 50; i++) scanParts(parts, policy); // warm up the regex engine
    const n = 500;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) scanParts(parts, policy);
    const perRequestMs = (performance.now() - t0) / n;
    const big = "lorem ipsum dolor sit amet 12345 ".repeat(32 * 1024);
    const t1 = performance.now();
    scanParts([{ where: "the request body", text: big }], policy);
    const perMiBMs = performance.now() - t1;
    console.log(`DLP cost: ${(perRequestMs * 1000).toFixed(1)} µs per ${body.length}-byte request, ${perMiBMs.toFixed(1)} ms per MiB`);
    expect(perRequestMs).toBeLessThan(2);
    expect(perMiBMs).toBeLessThan(250);
  });
});
