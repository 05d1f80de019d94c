// Pure: scan the parts of one request (URL, headers, body) for built-in
// secret patterns, the operator's own secret values, and placeholders that
// belong to another host. Returns the first finding; the value itself is
// never part of the result, only what it is and where it was.
import { SECRET_PATTERNS, type SecretPattern } from "./patterns.ts";

export interface ScanPart {
  /** Where in the request: "URL", "header x-foo", "body". */
  where: string;
  text: string;
}

export interface NamedValue {
  /** A name safe to show: an env var name, a route host. */
  name: string;
  value: string;
}

export interface Finding {
  kind: "pattern" | "secret" | "placeholder";
  /** Pattern id, env var name, or the placeholder's route host. */
  id: string;
  /** For people: "AWS access key ID in header x-foo". */
  message: string;
}

export interface ScanPolicy {
  /** Built-in patterns (empty when DLP is off). */
  patterns: readonly SecretPattern[];
  /** Operator secret values (DLP on). */
  secrets: readonly NamedValue[];
  /** Placeholders of routes for other hosts: always a leak. */
  foreignPlaceholders: readonly NamedValue[];
  /** This host's own placeholders: removed before scanning so they do not look like keys. */
  ownPlaceholders: readonly string[];
}

/** Short secret values match too much ordinary text; below this they are not scanned. */
export const MIN_SECRET_LENGTH = 8;

/** The forms a secret value can take in a request: as-is, URL-encoded, base64. */
export function secretForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), Buffer.from(value).toString("base64").replace(/=+$/, "")]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

// Forms are computed once per secret object, not once per scanned part.
const formsCache = new WeakMap<NamedValue, string[]>();
function formsOf(s: NamedValue): string[] {
  let f = formsCache.get(s);
  if (!f) formsCache.set(s, (f = secretForms(s.value)));
  return f;
}

export function scanParts(parts: readonly ScanPart[], policy: ScanPolicy): Finding | undefined {
  for (const part of parts) {
    let text = part.text;
    for (const p of policy.foreignPlaceholders) {
      if (p.value.length >= MIN_SECRET_LENGTH && text.includes(p.value)) {
        return {
          kind: "placeholder",
          id: p.name,
          message: `the credential placeholder for ${p.name} in ${part.where} (placeholders may only go to their own host)`,
        };
      }
    }
    for (const own of policy.ownPlaceholders) if (own && text.includes(own)) text = text.split(own).join("");
    for (const s of policy.secrets) {
      if (formsOf(s).some((f) => text.includes(f))) {
        return { kind: "secret", id: s.name, message: `the value of the operator secret ${s.name} in ${part.where}` };
      }
    }
    const hit = firstPattern(text, policy.patterns);
    if (hit) return { kind: "pattern", id: hit.id, message: `something that looks like a ${hit.name} in ${part.where}` };
  }
  return undefined;
}

// One alternation of every pattern's hint literals: a single pass over the
// text decides whether any hinted pattern can match at all (the common case
// for ordinary bodies is "no", and then only unhinted patterns run).
const prefilters = new WeakMap<readonly SecretPattern[], RegExp>();
function prefilterOf(patterns: readonly SecretPattern[]): RegExp {
  let re = prefilters.get(patterns);
  if (!re) {
    const lits = patterns.flatMap((p) => p.hints ?? []).map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    re = new RegExp(lits.length ? lits.join("|") : "(?!)");
    prefilters.set(patterns, re);
  }
  return re;
}

export function firstPattern(text: string, patterns: readonly SecretPattern[]): SecretPattern | undefined {
  const anyHint = prefilterOf(patterns).test(text);
  for (const p of patterns) {
    if (p.hints && (!anyHint || !p.hints.some((h) => text.includes(h)))) continue;
    p.re.lastIndex = 0;
    if (!p.validate) {
      if (p.re.test(text)) return p;
      continue;
    }
    for (const m of text.matchAll(p.re)) if (p.validate(m[0])) return p;
  }
  return undefined;
}

export { SECRET_PATTERNS };

/** Window size and overlap for scanning large bodies: a secret shorter than the overlap is always whole in some window. */
export const BODY_WINDOW = 256 * 1024;
export const BODY_OVERLAP = 16 * 1024;

/**
 * Scan a body in overlapping windows instead of one huge string: short-lived
 * small strings keep the garbage collector's pauses (the proxy's p99) low.
 * Anything up to BODY_OVERLAP long (every token shape we look for, and any sane
 * operator secret) lies whole inside at least one window.
 */
export function scanBody(body: Buffer, where: string, policy: ScanPolicy): Finding | undefined {
  if (body.length <= BODY_WINDOW) return scanParts([{ where, text: body.toString("latin1") }], policy);
  for (let start = 0; start < body.length; start += BODY_WINDOW - BODY_OVERLAP) {
    const f = scanParts([{ where, text: body.toString("latin1", start, Math.min(body.length, start + BODY_WINDOW)) }], policy);
    if (f) return f;
    if (start + BODY_WINDOW >= body.length) break;
  }
  return undefined;
}

