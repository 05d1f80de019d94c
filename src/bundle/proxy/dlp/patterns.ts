// Pure: the built-in secret patterns. Each names what it found (never the
// value) so a 403 tells the agent and the operator what tripped. Patterns are
// anchored on distinctive prefixes to keep false positives and cost low;
// generic "high entropy" guessing is left to the operator's own secret
// values (secretEnv), which are matched exactly.

export interface SecretPattern {
  id: string;
  /** What to call it in a block message. */
  name: string;
  re: RegExp;
  /**
   * Literals of which at least one occurs in every match: a cheap substring
   * pre-check so the regex only runs on text that could match (a 1 MiB body
   * costs a few µs per pattern instead of a full regex pass).
   */
  hints?: readonly string[];
  /** Like hints, compared without case (for a pattern with the i flag); all must be ASCII. */
  hintsIgnoreCase?: readonly string[];
  /**
   * A match can hold spaces and be longer than a window's overlap (unbounded whitespace or
   * words): large bodies are scanned in windows that end at spaces, so such a pattern is also
   * run over the whole text (scan.ts scanBody).
   */
  longWithSpaces?: boolean;
  /** Extra check on a match (e.g. Luhn); the match is ignored when it returns false. */
  validate?: (match: string) => boolean;
}

/** Luhn checksum over the digits of s (separators ignored). */
export function luhnValid(s: string): boolean {
  const digits = s.replace(/[ -]/g, "");
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Card brand prefixes and lengths (Visa, Mastercard, Amex, Discover, JCB, Diners), then Luhn. */
export function looksLikeCard(s: string): boolean {
  const d = s.replace(/[ -]/g, "");
  const brand =
    (/^4/.test(d) && [13, 16, 19].includes(d.length)) ||
    (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(d) && d.length === 16) ||
    (/^3[47]/.test(d) && d.length === 15) ||
    (/^(6011|65|64[4-9])/.test(d) && d.length >= 16 && d.length <= 19) ||
    (/^35(2[89]|[3-8]\d)/.test(d) && d.length >= 16 && d.length <= 19) ||
    (/^3(0[0-5]|[68])/.test(d) && d.length === 14);
  return brand && luhnValid(d) && !/^(\d)\1+$/.test(d);
}

// Word boundaries that also treat '-' and '_' as token characters.
const B = "(?<![A-Za-z0-9_\\-])";
const E = "(?![A-Za-z0-9_\\-])";

export const SECRET_PATTERNS: SecretPattern[] = [
  { id: "aws-access-key", hints: ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"], name: "AWS access key ID", re: new RegExp(`${B}(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}${E}`, "g") },
  {
    id: "aws-secret-key",
    name: "AWS secret access key",
    // Every alternative of the key name contains "secret".
    hintsIgnoreCase: ["secret"],
    longWithSpaces: true,
    re: /(?:aws_?secret_?access_?key|aws_?secret|secret_?access_?key|secretaccesskey)["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
  },
  { id: "github-token", hints: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], name: "GitHub token", re: new RegExp(`${B}gh[pousr]_[A-Za-z0-9]{36,255}${E}`, "g") },
  { id: "github-pat", hints: ["github_pat_"], name: "GitHub fine-grained token", re: new RegExp(`${B}github_pat_[A-Za-z0-9_]{22,255}`, "g") },
  { id: "gitlab-token", hints: ["glpat-", "gldt-", "glptt-", "glrt-"], name: "GitLab token", re: new RegExp(`${B}gl(?:pat|dt|ptt|rt)-[A-Za-z0-9_\\-]{20,}`, "g") },
  { id: "anthropic-key", hints: ["sk-ant-"], name: "Anthropic API key", re: new RegExp(`${B}sk-ant-[A-Za-z0-9_\\-]{20,}`, "g") },
  { id: "openai-project-key", hints: ["sk-proj-", "sk-svcacct-", "sk-admin-"], name: "OpenAI API key", re: new RegExp(`${B}sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\\-]{20,}`, "g") },
  { id: "openai-key", hints: ["sk-"], name: "OpenAI API key", re: new RegExp(`${B}sk-[A-Za-z0-9]{32,}${E}`, "g") },
  { id: "slack-token", hints: ["xoxb-", "xoxp-", "xoxr-", "xoxa-", "xoxs-"], name: "Slack token", re: new RegExp(`${B}xox[bpras]-[A-Za-z0-9\\-]{10,}`, "g") },
  { id: "slack-webhook", hints: ["hooks.slack.com"], name: "Slack webhook URL", re: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/g },
  { id: "private-key", hints: ["PRIVATE KEY"], longWithSpaces: true, name: "PEM private key", re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  {
    id: "jwt", hints: ["eyJ"],
    name: "JSON Web Token",
    re: new RegExp(`${B}eyJ[A-Za-z0-9_\\-]{8,}\\.eyJ[A-Za-z0-9_\\-]{8,}\\.[A-Za-z0-9_\\-]{16,}`, "g"),
  },
  { id: "stripe-key", hints: ["_live_"], name: "Stripe live key", re: new RegExp(`${B}(?:sk|rk)_live_[A-Za-z0-9]{20,}`, "g") },
  { id: "google-api-key", hints: ["AIza"], name: "Google API key", re: new RegExp(`${B}AIza[0-9A-Za-z_\\-]{35}${E}`, "g") },
  { id: "npm-token", hints: ["npm_"], name: "npm token", re: new RegExp(`${B}npm_[A-Za-z0-9]{36}${E}`, "g") },
  { id: "pypi-token", hints: ["pypi-AgEIcHlwaS5vcmc"], name: "PyPI token", re: new RegExp(`${B}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\\-]{50,}`, "g") },
  { id: "huggingface-token", hints: ["hf_"], name: "Hugging Face token", re: new RegExp(`${B}hf_[A-Za-z0-9]{34,}${E}`, "g") },
  { id: "sendgrid-key", hints: ["SG."], name: "SendGrid API key", re: new RegExp(`${B}SG\\.[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43}${E}`, "g") },
  { id: "twilio-key", hints: ["SK"], name: "Twilio API key", re: new RegExp(`${B}SK[0-9a-f]{32}${E}`, "g") },
  {
    id: "card-number",
    name: "payment card number",
    // Not inside a word: digit runs of hex ids (request, session, device ids in every API call) are not cards.
    re: /(?<![\w.])\d(?:[ -]?\d){12,18}(?!\w)/g,
    validate: looksLikeCard,
  },
];
