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
  "glpat-",
];

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Random bytes → placeholder. `random(n)` returns n bytes (crypto in production, fixed in tests). */
export function makePlaceholder(real: string, random: (n: number) => Uint8Array): string {
  const prefix = KNOWN_PREFIXES.find((p) => real.startsWith(p)) ?? "";
  const bodyLen = Math.max(real.length - prefix.length, 24);
  const bytes = random(bodyLen);
  let body = "";
  for (let i = 0; i < bodyLen; i++) {
    const ch = real[prefix.length + i];
    // Keep separators ('-', '_') where the real token has them, so the shape survives.
    body += ch === "-" || ch === "_" ? ch : ALNUM[bytes[i]! % ALNUM.length];
  }
  // Never equal to the real token, whatever the random source says.
  const out = prefix + body;
  return out === real ? prefix + "X" + body.slice(1) : out;
}

export function cryptoRandom(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}
