// Pure: placeholders keep a real token's prefix, length and alphabet (some
// clients validate the shape locally) but carry no secret. The bundle swaps
// them for the real credential on the route's host only.

const KNOWN_PREFIXES = [
  "sk-ant-api03-",
  "sk-ant-oat01-",
  "sk-ant-",
  "sk-proj-",
  "sk-svcacct-",
  "sk-",
  "github_pat_",
  "ghp_",
  "gho_",
  "ghu_",
  "ghs_",
  "ghr_",
  "xoxb-",
  "xoxp-",
  "xoxa-",
  "xoxr-",
  "xoxs-",
  "xapp-",
  "glpat-",
  // Google API keys (Gemini): AIza + 35 of [A-Za-z0-9_-].
  "AIza",
];

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGIT = "0123456789";
const ALNUM = UPPER + LOWER + DIGIT;
/** Shortest placeholder body: short real tokens must not give short, guessable placeholders. */
const MIN_BODY = 24;

/** Random bytes → placeholder. `random(n)` returns n bytes (crypto in production, fixed in tests). */
export function makePlaceholder(real: string, random: (n: number) => Uint8Array): string {
  const prefix = KNOWN_PREFIXES.find((p) => real.startsWith(p)) ?? "";
  const tail = real.slice(prefix.length);
  const bodyLen = Math.max(tail.length, MIN_BODY);
  const bytes = random(bodyLen);
  let body = "";
  for (let i = 0; i < bodyLen; i++) {
    // Same character class at each position (Slack ids stay digits, separators stay put),
    // so a client's local shape check passes; positions past the real token are alphanumeric.
    const ch = tail[i];
    const pool = ch === undefined ? ALNUM : /[A-Z]/.test(ch) ? UPPER : /[a-z]/.test(ch) ? LOWER : /[0-9]/.test(ch) ? DIGIT : null;
    body += pool ? pool[bytes[i]! % pool.length] : ch;
  }
  // Never equal to the real token, whatever the random source says.
  if (body === tail) body = [...body].map((c) => (/[A-Z]/.test(c) ? nextIn(UPPER, c) : /[a-z]/.test(c) ? nextIn(LOWER, c) : /[0-9]/.test(c) ? nextIn(DIGIT, c) : c)).join("");
  // A token with no letters or digits at all cannot be re-rolled in place.
  return prefix + (body === tail ? body + "0" : body);
}

function nextIn(pool: string, c: string): string {
  return pool[(pool.indexOf(c) + 1) % pool.length]!;
}

export function cryptoRandom(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}
