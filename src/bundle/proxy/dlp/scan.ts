// Pure: scan the parts of one request (URL, headers, body) for built-in
// secret patterns, the operator's own secret values, and placeholders that
// belong to another host — in the raw text and in every decoded view of it
// (decode.ts). Scanning returns the first finding; redaction replaces every
// finding by a marker. The value itself is never part of a result, only what
// it is and where it was.
import { compressionMagic, contains, decodedSegments, indexIn, looksBinary, TextBytes, tryBrotli, decompressByMagic, PRINTABLE_RUNS, TooLargeToScan, type Segment } from "./decode.ts";
import { Pieces } from "./pieces.ts";
import { SECRET_PATTERNS, type SecretPattern } from "./patterns.ts";
import { escapeRegExp } from "../../../util/regex.ts";

export { TooLargeToScan };

export interface ScanPart {
  /** Where in the request: "URL", "header x-foo", "body". */
  where: string;
  text: string;
  /** text's own bytes (text is their latin1 reading), when the caller has them: literal searches run on them natively. */
  bytes?: Buffer;
}

export interface NamedValue {
  /** A name safe to show: an env var name, a route host. */
  name: string;
  value: string;
  /** For placeholders: the agent variable that holds it (the redaction marker names it). */
  env?: string;
}

export interface Finding {
  kind: "pattern" | "secret" | "placeholder";
  /** Pattern id, env var name, or the placeholder's route host. */
  id: string;
  /** For people: "AWS access key ID in header x-foo". */
  message: string;
  /** What replaces it when redacted: `[REDACTED:aws-access-key]`, `[PLACEHOLDER:OPENAI_API_KEY]`. */
  marker: string;
}

export interface ScanPolicy {
  /** Built-in patterns (empty when DLP is off). */
  patterns: readonly SecretPattern[];
  /** Operator secret values (DLP on). */
  secrets: readonly NamedValue[];
  /** Placeholders of routes for other hosts: always a leak. */
  foreignPlaceholders: readonly NamedValue[];
  /** This host's own placeholders: masked before scanning so they do not look like keys. */
  ownPlaceholders: readonly string[];
}

/** Short secret values match too much ordinary text; below this they are not scanned. */
export const MIN_SECRET_LENGTH = 8;
/** Decoded views nest this deep (base64 of gzip of percent-encoded text = 3). */
const MAX_DEPTH = 3;
/** Largest decompressed payload scanned; past it the payload is refused (TooLargeToScan). */
export const MAX_INFLATED = 16 * 1024 * 1024;

/**
 * Encodings of a value that can be found in text without decoding it, keyed
 * so that two values of the same length give forms of the same length under
 * the same key (the response scrubber swaps a real credential's form for the
 * placeholder's). Base64 forms drop the boundary characters that mix in bits
 * of the neighbouring bytes, so each of the three byte alignments matches
 * wherever it sits in a longer base64 text.
 */
export function encodedForms(value: string): Map<string, string> {
  const bytes = Buffer.from(value, "utf8");
  const forms = new Map<string, string>([
    ["raw", value],
    ["percent", encodeURIComponent(value)],
    ["hex", bytes.toString("hex")],
    ["HEX", bytes.toString("hex").toUpperCase()],
  ]);
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64").replace(/=+$/, "");
    const skip = [0, 2, 3][k]!;
    const drop = (k + bytes.length) % 3 === 0 ? 0 : 1;
    const b64 = enc.slice(skip, enc.length - drop);
    forms.set(`b64-${k}`, b64);
    forms.set(`b64url-${k}`, b64.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return forms;
}

/** The distinct forms of a secret value worth matching directly. */
export function secretForms(value: string): string[] {
  return [...new Set(encodedForms(value).values())].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

// Forms are computed once per secret object, not once per scanned part.
const formsCache = new WeakMap<NamedValue, string[]>();
function formsOf(s: NamedValue): string[] {
  let f = formsCache.get(s);
  if (!f) formsCache.set(s, (f = secretForms(s.value)));
  return f;
}

export interface Hit {
  start: number;
  end: number;
  finding: Finding;
}

function allIndexes(text: string, needle: string, bytes?: TextBytes): number[] {
  const out: number[] = [];
  for (let i = indexIn(text, needle, 0, bytes); i >= 0; i = indexIn(text, needle, i + needle.length, bytes)) out.push(i);
  return out;
}

/** Own placeholders overwritten by spaces: same length (positions hold), and nothing joins across them. */
function maskOwn(text: string, own: readonly string[]): string {
  let out = text;
  for (const p of own) if (p && out.includes(p)) out = out.split(p).join(" ".repeat(p.length));
  return out;
}

/** Decoded characters every scanned part may produce on top of 8 per input character. */
const MIN_BUDGET = 1024 * 1024;

interface Ctx {
  /** Stop at the first hit (scanning) or collect all (redaction). */
  all: boolean;
  /** Decoded characters still allowed (bounds the work an adversarial body can cause). */
  budget: number;
  /** Brotli attempts left on binary decoded views (it has no magic bytes: each try costs a decoder start). */
  brotliTries: number;
}

/** A finding before it is worded: `hows` are the decodings it was found under, outermost first. */
interface RawHit {
  start: number;
  end: number;
  kind: Finding["kind"];
  id: string;
  what: string;
  note?: string;
  marker: string;
  hows: string[];
}

function patternHit(m: { p: SecretPattern; start: number; end: number }): RawHit {
  return { start: m.start, end: m.end, kind: "pattern", id: m.p.id, what: `something that looks like a ${m.p.name}`, marker: `[REDACTED:${m.p.id}]`, hows: [] };
}

function toFinding(h: RawHit, where: string): Finding {
  const how = h.hows.length ? ` (${h.hows.join(", then ")})` : "";
  return { kind: h.kind, id: h.id, message: `${h.what} in ${where}${how}${h.note ?? ""}`, marker: h.marker };
}

function rawHits(text: string, policy: ScanPolicy, ctx: Ctx, bytes?: TextBytes): RawHit[] {
  const hits: RawHit[] = [];
  const done = () => !ctx.all && hits.length > 0;
  for (const p of policy.foreignPlaceholders) {
    if (p.value.length < MIN_SECRET_LENGTH) continue;
    for (const i of allIndexes(text, p.value, bytes)) {
      hits.push({
        start: i,
        end: i + p.value.length,
        kind: "placeholder",
        id: p.name,
        what: `the credential placeholder for ${p.name}`,
        note: " (placeholders may only go to their own host)",
        marker: `[PLACEHOLDER:${p.env ?? p.name}]`,
        hows: [],
      });
      if (done()) return hits;
    }
  }
  const masked = maskOwn(text, policy.ownPlaceholders);
  // The bytes stand for the text only while masking changed nothing.
  const mBytes = masked === text ? bytes : undefined;
  for (const s of policy.secrets) {
    for (const f of formsOf(s)) {
      for (const i of allIndexes(masked, f, mBytes)) {
        hits.push({ start: i, end: i + f.length, kind: "secret", id: s.name, what: `the value of the operator secret ${s.name}`, marker: `[REDACTED:${s.name}]`, hows: [] });
        if (done()) return hits;
      }
    }
  }
  for (const m of patternMatches(masked, policy.patterns, ctx.all, mBytes)) {
    hits.push(patternHit(m));
    if (done()) return hits;
  }
  return hits;
}

// Decoded views of one level are joined into one text and scanned in one pass
// (a body of many short runs costs one scan, not one per run). The separator
// is no token, URL, base64 or hex character: nothing matches across it.
const SEP = "\n\u0000\n";
const MAX_BROTLI_TRIES = 256;

/** Decoded views of `text`: plus, for a view that is itself compressed, its inflated bytes. */
function viewsOf(text: string, ctx: Ctx, payload: boolean, bytes?: TextBytes): Segment[] {
  const segs = decodedSegments(text, MAX_INFLATED, payload, bytes);
  const out: Segment[] = [];
  for (const seg of segs) {
    const t = seg.text;
    // A decoded view that is byte-for-byte the text itself adds nothing.
    if (t.length === seg.end - seg.start && t === text.slice(seg.start, seg.end)) continue;
    if (t.length >= 8 && mayBeCompressed(t)) {
      const bytes = Buffer.from(t, "latin1");
      const c = decompressByMagic(bytes, MAX_INFLATED);
      if (c) out.push({ ...seg, text: c.data.toString("latin1"), how: `${seg.how}, then ${c.how}` });
      else if (bytes.length >= 32 && ctx.brotliTries > 0 && looksBinary(bytes)) {
        ctx.brotliTries--;
        const b = tryBrotli(bytes, MAX_INFLATED);
        if (b) out.push({ ...seg, text: b.toString("latin1"), how: `${seg.how}, then brotli` });
      }
    }
    // Every pattern, and every encoding worth decoding further, is 8+ printable ASCII characters in
    // a row: of a binary view (the wrong alignments of ordinary base64, image data) only such runs
    // are kept — a hit maps to the whole encoded run anyway. Secret values and placeholders are
    // also matched in their encoded forms directly.
    const kept = printableRuns(t);
    if (kept) out.push(kept === t ? seg : { ...seg, text: kept });
  }
  return out;
}

function printableRuns(t: string): string | undefined {
  PRINTABLE_RUNS.lastIndex = 0;
  const runs: string[] = [];
  for (let m = PRINTABLE_RUNS.exec(t); m; m = PRINTABLE_RUNS.exec(t)) runs.push(m[0]);
  PRINTABLE_RUNS.lastIndex = 0;
  if (!runs.length) return undefined;
  return runs.length === 1 && runs[0]!.length === t.length ? t : runs.join(SEP);
}

/** Cheap pre-check on the first bytes: a compression magic, or binary (a brotli candidate). */
function mayBeCompressed(t: string): boolean {
  const b0 = t.charCodeAt(0);
  const b1 = t.charCodeAt(1);
  if ((b0 === 0x1f && b1 === 0x8b) || (b0 === 0x28 && b1 === 0xb5) || ((b0 & 0x0f) === 8 && ((b0 << 8) | b1) % 31 === 0)) return true;
  for (let i = 0; i < Math.min(t.length, 16); i++) {
    const c = t.charCodeAt(i);
    if (c < 0x09 || (c > 0x0d && c < 0x20)) return true;
  }
  return false;
}

function findHits(text: string, policy: ScanPolicy, ctx: Ctx, depth: number, payload: boolean, bytes?: TextBytes): RawHit[] {
  const hits = rawHits(text, policy, ctx, bytes);
  if ((hits.length && !ctx.all) || depth >= MAX_DEPTH) return hits;
  const masked = maskOwn(text, policy.ownPlaceholders);
  const segs = viewsOf(masked, ctx, payload, masked === text ? bytes : undefined);
  if (!segs.length) return hits;
  const starts: number[] = [];
  let pos = 0;
  for (const seg of segs) {
    starts.push(pos);
    pos += seg.text.length + SEP.length;
  }
  ctx.budget -= pos;
  // Fail closed: views past the budget (a few KB of base64 gzip inflating to megabytes) are refused, never skipped.
  if (ctx.budget < 0) throw new TooLargeToScan("encoded data that decodes to more than the scanner's budget (8 bytes per byte sent, plus 1 MiB)");
  const combined = segs.map((x) => x.text).join(SEP);
  for (const h of findHits(combined, policy, ctx, depth + 1, false)) {
    // The view the hit lies in (the last one starting at or before it).
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= h.start) lo = mid;
      else hi = mid - 1;
    }
    const seg = segs[lo]!;
    hits.push({ ...h, start: seg.start, end: seg.end, hows: [seg.how, ...h.hows] });
    if (!ctx.all) return hits;
  }
  return hits;
}

function ctxFor(text: string, all: boolean): Ctx {
  return { all, budget: 8 * text.length + MIN_BUDGET, brotliTries: MAX_BROTLI_TRIES };
}

export function scanParts(parts: readonly ScanPart[], policy: ScanPolicy): Finding | undefined {
  for (const part of parts) {
    const f = scanText(part.text, part.where, policy, part.bytes ? new TextBytes(part.bytes) : undefined);
    if (f) return f;
  }
  return undefined;
}

function scanText(text: string, where: string, policy: ScanPolicy, bytes?: TextBytes): Finding | undefined {
  const hits = findHits(text, policy, ctxFor(text, false), 0, false, bytes);
  return hits.length ? toFinding(hits[0]!, where) : undefined;
}

/** Every finding in text, non-overlapping, in order (overlapping hits merge; the first one names the merged range). */
export function findAll(text: string, where: string, policy: ScanPolicy, payload = false): Hit[] {
  const hits = findHits(text, policy, ctxFor(text, true), 0, payload);
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Hit[] = [];
  for (const h of hits) {
    const last = merged[merged.length - 1];
    if (last && h.start < last.end) last.end = Math.max(last.end, h.end);
    else merged.push({ start: h.start, end: h.end, finding: toFinding(h, where) });
  }
  return merged;
}

// One alternation of every pattern's hint literals: a single pass over the
// text decides whether any hinted pattern can match at all (the common case
// for ordinary bodies is "no", and then only unhinted patterns run). With the
// text's bytes at hand, each hint is looked up natively on them instead.
const prefilters = new WeakMap<readonly SecretPattern[], RegExp>();
function prefilterOf(patterns: readonly SecretPattern[]): RegExp {
  let re = prefilters.get(patterns);
  if (!re) {
    const lits = patterns.flatMap((p) => p.hints ?? []).map(escapeRegExp);
    re = new RegExp(lits.length ? lits.join("|") : "(?!)");
    prefilters.set(patterns, re);
  }
  return re;
}
const caselessOf = new WeakMap<SecretPattern, RegExp>();
function caselessRe(p: SecretPattern, hints: readonly string[]): RegExp {
  let re = caselessOf.get(p);
  if (!re) caselessOf.set(p, (re = new RegExp(hints.map(escapeRegExp).join("|"), "i")));
  return re;
}

/**
 * Which patterns can match `text`: exactly those whose hints (and case-free
 * hints) occur in it, each hint looked up at most once.
 */
function hintGate(text: string, patterns: readonly SecretPattern[], bytes?: TextBytes): (p: SecretPattern) => boolean {
  const caseless = (p: SecretPattern) => !p.hintsIgnoreCase || caselessRe(p, p.hintsIgnoreCase).test(text);
  if (!bytes) {
    // Short strings (headers, decoded views): one pass of the alternation usually says "none".
    const any = prefilterOf(patterns).test(text);
    return (p) => (!p.hints || (any && p.hints.some((h) => text.includes(h)))) && caseless(p);
  }
  // Answers are kept with the text's bytes (scanBody asks again for its long patterns).
  const { hints, gates: decided } = bytes;
  const within = subHintsOf(patterns);
  const present = (h: string): boolean => {
    let v = hints.get(h);
    // A hint that holds a shorter hint cannot be there without it ("sk-proj-" without "sk-").
    if (v === undefined) hints.set(h, (v = (within.get(h) ?? []).every(present) && contains(text, h, bytes)));
    return v;
  };
  return (p) => {
    let v = decided.get(p);
    if (v === undefined) {
      v = (!p.hints || p.hints.some(present)) && (!p.hintsIgnoreCase || (p.hintsIgnoreCase.some((h) => mayHoldCaseless(bytes, h)) && caseless(p)));
      decided.set(p, v);
    }
    return v;
  };
}

/** For each hint, the other (shorter) hints it contains. */
const subHints = new WeakMap<readonly SecretPattern[], Map<string, string[]>>();
function subHintsOf(patterns: readonly SecretPattern[]): Map<string, string[]> {
  let m = subHints.get(patterns);
  if (!m) {
    const all = [...new Set(patterns.flatMap((p) => p.hints ?? []))];
    m = new Map(all.map((h) => [h, all.filter((g) => g !== h && h.includes(g))]));
    subHints.set(patterns, m);
  }
  return m;
}

/**
 * False only when `bytes` cannot hold the ASCII word `h` in any case: some pair of
 * adjacent letters of it occurs in none of its four case forms (native searches;
 * the case-free regex then runs only on text that has every pair).
 */
function mayHoldCaseless(bytes: TextBytes, h: string): boolean {
  for (let i = 0; i + 1 < h.length; i++) {
    const a = h[i]!;
    const b = h[i + 1]!;
    const forms = [a.toLowerCase() + b.toLowerCase(), a.toLowerCase() + b.toUpperCase(), a.toUpperCase() + b.toLowerCase(), a.toUpperCase() + b.toUpperCase()];
    if (!forms.some((f) => bytes.hasByte(f.charCodeAt(0)) && bytes.buf.indexOf(f, 0, "latin1") >= 0)) return false;
  }
  return true;
}

function* patternMatches(text: string, patterns: readonly SecretPattern[], all: boolean, bytes?: TextBytes): Generator<{ p: SecretPattern; start: number; end: number }> {
  const mayMatch = hintGate(text, patterns, bytes);
  for (const p of patterns) {
    if (!mayMatch(p)) continue;
    // exec on the shared global regex, not matchAll: matchAll clones (and recompiles) it on every call.
    const re = p.re;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) re.lastIndex++;
      if (p.validate && !p.validate(m[0])) continue;
      const hit = { p, start: m.index, end: m.index + m[0].length };
      if (!all) re.lastIndex = 0;
      yield hit;
      if (!all) break;
    }
    re.lastIndex = 0;
  }
}

/** Every built-in pattern match in text (for tests: the hint gates must not change what matches). */
export function allPatternMatches(text: string, patterns: readonly SecretPattern[], bytes?: Buffer): { id: string; start: number; end: number }[] {
  return [...patternMatches(text, patterns, true, bytes && new TextBytes(bytes))].map((m) => ({ id: m.p.id, start: m.start, end: m.end }));
}

export function firstPattern(text: string, patterns: readonly SecretPattern[]): SecretPattern | undefined {
  for (const m of patternMatches(text, patterns, false)) return m.p;
  return undefined;
}

export { SECRET_PATTERNS };

/** Window size and overlap for scanning large bodies: a secret shorter than the overlap is always whole in some window. */
export const BODY_WINDOW = 256 * 1024;
export const BODY_OVERLAP = 16 * 1024;

/**
 * Where a window that should end at `from` may end: at the next space. A space
 * ends every run a decoder reads (base64 and its wrapped lines, hex, percent
 * and literal escapes, compatibility forms — see decode.ts), so no encoded run
 * is cut and each is decoded whole, however long: a base64 gzip blob larger
 * than a window is inflated as one piece. A body without spaces is one window.
 */
export function windowEnd(body: Buffer | Pieces, from: number): number {
  if (from >= body.length) return body.length;
  const i = body instanceof Pieces ? body.indexOfByte(0x20, from) : body.indexOf(0x20, from);
  return i < 0 ? body.length : i;
}

/**
 * inflatePayload of the joined pieces, joining them only when the first bytes
 * say the payload may be compressed (inflatePayload reads no more than them
 * to decide).
 */
function inflatePieces(body: Pieces): { how: string; data: Buffer } | undefined {
  const head = body.range(0, Math.min(body.length, 64), {});
  if (!compressionMagic(head) && !looksBinary(head)) return undefined;
  return inflatePayload(body.join());
}

/**
 * The whole payload decompressed when it is compressed (magic bytes; brotli
 * when it is not text), bounded; undefined when it is not.
 * Throws TooLargeToScan past the bound.
 */
export function inflatePayload(body: Buffer): { how: string; data: Buffer } | undefined {
  const c = decompressByMagic(body, MAX_INFLATED);
  if (c) return c;
  if (looksBinary(body)) {
    const b = tryBrotli(body, MAX_INFLATED);
    if (b) return { how: "brotli", data: b };
  }
  return undefined;
}

/**
 * Scan a body in overlapping windows instead of one huge string: short-lived
 * small strings keep the garbage collector's pauses (the proxy's p99) low.
 * Anything up to BODY_OVERLAP long (every token shape we look for, and any sane
 * operator secret) lies whole inside at least one window, and every encoded run
 * lies whole inside one (windowEnd). A compressed body is also scanned
 * decompressed. Throws TooLargeToScan for a decompression bomb.
 */
export function scanBody(input: Buffer | Pieces, where: string, policy: ScanPolicy, depth = 0): Finding | undefined {
  const body = input instanceof Pieces ? input : new Pieces([input]);
  const inflated = depth < MAX_DEPTH ? inflatePieces(body) : undefined;
  if (inflated) {
    const f = scanBody(inflated.data, `${where} (${inflated.how}-compressed)`, policy, depth + 1);
    if (f) return f;
  }
  // Windows that span pieces are copied into one buffer, reused from window to window.
  const scratch: { buf?: Buffer } = {};
  const long = policy.patterns.filter((p) => p.longWithSpaces);
  const hinted = new Set<SecretPattern>();
  for (let start = 0; ; ) {
    const end = windowEnd(body, start + BODY_WINDOW);
    const raw = body.range(start, end, scratch);
    const text = raw.toString("latin1");
    const bytes = new TextBytes(raw);
    const f = scanText(text, where, policy, bytes);
    if (f) return f;
    if (start === 0 && end >= body.length) return undefined;
    // A hint is short: whole in some window. Only a body that has one is read whole below.
    const gate = hintGate(text, long, bytes);
    for (const p of long) if (gate(p)) hinted.add(p);
    if (end >= body.length) break;
    start = end - BODY_OVERLAP;
  }
  return hinted.size ? longMatch(body.join().toString("latin1"), where, policy, [...hinted]) : undefined;
}

/**
 * Matches of space-holding patterns (longWithSpaces) over a whole raw text: a match
 * longer than the windows' overlap can straddle a window edge (a private-key header
 * padded with words, a key name and its value 20 KB of spaces apart). Decoded views
 * need no such pass: each is decoded and scanned whole.
 */
function longMatch(text: string, where: string, policy: ScanPolicy, patterns: readonly SecretPattern[]): Finding | undefined {
  const masked = maskOwn(text, policy.ownPlaceholders);
  for (const m of patternMatches(masked, patterns, false)) return toFinding(patternHit(m), where);
  return undefined;
}
