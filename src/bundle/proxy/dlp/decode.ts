// Pure: the decoded views DLP matches besides the raw text. A secret can
// leave percent-encoded, in base64 (standard or URL alphabet, starting at any
// byte of a 3-byte group), in hex (either case) or compressed (gzip, zlib,
// brotli, zstd — recognised by their bytes, not by a Content-Encoding the
// agent controls). Each decoded view is a *segment* of the text: scanning
// reports it, redaction replaces the whole segment. Text is latin1 (one char
// per byte) throughout so positions map 1:1 onto the body's bytes.
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync, zstdDecompressSync } from "node:zlib";

export interface Segment {
  start: number;
  end: number;
  /** The decoded bytes, as latin1 text. */
  text: string;
  /** How it was encoded: "percent", "base64", "hex", "gzip", … (for block messages). */
  how: string;
}

/** Raised when a compressed payload expands past the bound: DLP refuses it rather than pass it unscanned. */
export class TooLargeToScan extends Error {}

/**
 * Shortest runs worth decoding: the shortest built-in pattern match is 15
 * bytes (20 base64 characters, 30 hex digits). Operator secrets and
 * placeholders (8+ characters) are also matched in their encoded forms
 * directly (scan.ts encodedForms), so they need no decoding at all.
 */
const MIN_B64 = 20;
const MIN_HEX = 30;
// Maximal runs, anchored at a run's start by the lookbehind: inside a run the match fails at
// once, so the pass is linear (a bare /[…]{20,}/g retries from every position of every word).
const HEX_RUN = /(?<![0-9a-fA-F])[0-9a-fA-F]{30,}/g;

// The base64 alphabets (standard and URL) by character code (zero past 127).
const IN_B64 = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-") IN_B64[c.charCodeAt(0)] = 1;

/**
 * Maximal runs of base64-alphabet characters at least MIN_B64 long — what
 * /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{20,}/g matches — found by skipping
 * ahead: a run that long starting at or after i covers position i+19, so when
 * that character is outside the alphabet, none starts in i..i+19 and the
 * search jumps past it. Ordinary text is crossed touching about half its
 * characters; the regex (a lookbehind at every position) was the scanner's
 * largest cost.
 */
export function base64Runs(text: string, bytes?: TextBytes): [number, number][] {
  if (bytes) return base64RunsIn(bytes.buf);
  const out: [number, number][] = [];
  const n = text.length;
  const inRun = (c: number) => c < 128 && IN_B64[c] === 1;
  // Invariant: i is 0 or text[i-1] is outside the alphabet, so a run reaching back to i starts at i.
  for (let i = 0; i + MIN_B64 <= n; ) {
    const k = i + MIN_B64 - 1;
    if (!inRun(text.charCodeAt(k))) {
      i = k + 1;
      continue;
    }
    let s = k;
    while (s > i && inRun(text.charCodeAt(s - 1))) s--;
    let e = k + 1;
    while (e < n && inRun(text.charCodeAt(e))) e++;
    // [s, e) is a maximal run (text[s-1] is outside: by the loop above, or by the invariant when s = i).
    if (e - s >= MIN_B64) out.push([s, e]);
    i = e + 1;
  }
  return out;
}

/** base64Runs over the bytes of a latin1 text (byte values are its character codes): same runs, faster. */
function base64RunsIn(b: Buffer): [number, number][] {
  const out: [number, number][] = [];
  const n = b.length;
  for (let i = 0; i + MIN_B64 <= n; ) {
    const k = i + MIN_B64 - 1;
    if (IN_B64[b[k]!] === 0) {
      i = k + 1;
      continue;
    }
    let s = k;
    while (s > i && IN_B64[b[s - 1]!] === 1) s--;
    let e = k + 1;
    while (e < n && IN_B64[b[e]!] === 1) e++;
    if (e - s >= MIN_B64) out.push([s, e]);
    i = e + 1;
  }
  return out;
}

/**
 * A scanned text's own bytes (the text is their latin1 reading): literal
 * searches run natively on them, several times faster than on a long string,
 * and what was learnt about them is kept for the rest of that text's scan.
 * Made for one text and dropped with it.
 */
export class TextBytes {
  private readonly seen = new Map<number, boolean>();
  /** Hint presence and pattern gates already settled (scan.ts). */
  readonly hints = new Map<string, boolean>();
  readonly gates = new Map<object, boolean>();
  constructor(readonly buf: Buffer) {}

  /** Whether byte c occurs (one memchr, remembered). */
  hasByte(c: number): boolean {
    let v = this.seen.get(c);
    if (v === undefined) this.seen.set(c, (v = this.buf.indexOf(c) >= 0));
    return v;
  }
}

/** Whether `text` contains `needle` (as String includes), searched on `bytes` when given. */
export function contains(text: string, needle: string, bytes?: TextBytes): boolean {
  if (!bytes || !isLatin1(needle)) return text.includes(needle);
  if (!needle.length) return true;
  // Most needles start with a byte the text lacks: one remembered memchr settles them.
  if (!bytes.hasByte(needle.charCodeAt(0))) return false;
  return needle.length === 1 || bytes.buf.indexOf(needle, 0, "latin1") >= 0;
}

/** Index of `needle` in `text` from `from` (as String indexOf), searched on `bytes` when given. */
export function indexIn(text: string, needle: string, from: number, bytes?: TextBytes): number {
  if (!bytes || !isLatin1(needle)) return text.indexOf(needle, from);
  if (needle.length && !bytes.hasByte(needle.charCodeAt(0))) return -1;
  return bytes.buf.indexOf(needle, from, "latin1");
}

// A needle with a character past U+00FF cannot occur in latin1 text, but its latin1 encoding (low bytes) could.
function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** exec over a shared global regex (matchAll would clone and recompile it on every call). */
function runsOf(text: string, re: RegExp): [number, number][] {
  const out: [number, number][] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push([m.index, m.index + m[0].length]);
  re.lastIndex = 0;
  return out;
}
const PCT = /%([0-9A-Fa-f]{2})/g;
// String-literal escapes (JSON \\u0041, C/JS \\x41) and HTML character references (&#65; &#x41;).
const ESC = /\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|&#x([0-9a-fA-F]{1,6});|&#([0-9]{1,7});/g;

// UTF-8 (as latin1 text) of fullwidth ASCII (U+FF01–FF5E) and mathematical alphanumerics (U+1D400–1D7FF):
// letters and digits a reader (or NFKC on the far side) takes for ASCII.
const COMPAT = /\xef\xbc[\x81-\xbf]|\xef\xbd[\x80-\x9e]|\xf0\x9d[\x90-\x9f][\x80-\xbf]/g;

// What may surround an escape inside one token: a URL-ish run for %XX (quotes, spaces, angle
// brackets and backslashes end it), a token run for literal escapes.
const URLISH = (c: number) => c > 0x20 && c < 0x7f && c !== 0x22 && c !== 0x27 && c !== 0x3c && c !== 0x3e && c !== 0x5c && c !== 0x60;
const TOKENISH = (c: number) => (c >= 0x30 && c <= 0x3a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d || c === 0x2b || c === 0x2f || c === 0x3d || c === 0x2e;

/**
 * Runs of `text` that hold at least one `seed` match, grown left and right
 * over run characters and further seeds. Linear: each character is visited a
 * bounded number of times (a regex with a leading `[...]*` would go quadratic
 * on a long run without a seed).
 */
function runsAround(text: string, seed: RegExp, isRun: (c: number) => boolean): [number, number][] {
  const out: [number, number][] = [];
  let covered = 0;
  let sticky = stickyOf.get(seed);
  if (!sticky) stickyOf.set(seed, (sticky = new RegExp(seed.source, "y")));
  seed.lastIndex = 0;
  for (let m = seed.exec(text); m; m = seed.exec(text)) {
    if (m.index < covered) continue;
    let s = m.index;
    while (s > covered && isRun(text.charCodeAt(s - 1))) s--;
    let e = m.index + m[0].length;
    for (;;) {
      if (e < text.length && isRun(text.charCodeAt(e))) {
        e++;
        continue;
      }
      sticky.lastIndex = e;
      const next = sticky.exec(text);
      if (next) {
        e += next[0].length;
        continue;
      }
      break;
    }
    out.push([s, e]);
    covered = e;
    seed.lastIndex = Math.max(seed.lastIndex, e);
  }
  seed.lastIndex = 0;
  return out;
}
const stickyOf = new WeakMap<RegExp, RegExp>();

export function unescapeLiterals(s: string): string {
  return s.replace(ESC, (_, u?: string, x?: string, hx?: string, dec?: string) => {
    const code = parseInt(u ?? x ?? hx ?? dec!, u || x || hx ? 16 : 10);
    return code <= 0xff ? String.fromCharCode(code) : "\ufffd";
  });
}

export function percentDecode(s: string): string {
  return s.replace(PCT, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * Every base64 run decoded at each of its first four characters (a run's own
 * start may be off the 4-character grid: a stray character in front shifts
 * it), in one native decode per alignment instead of one per run: runs are
 * padded to whole groups and joined with "AAAA" (three NUL bytes, which no
 * pattern spans), and each run's view is a slice of the result.
 */
function base64Batch(text: string, runs: [number, number][]): Segment[] {
  const out: Segment[] = [];
  for (let k = 0; k < 4; k++) {
    const pieces: string[] = [];
    const spans: [number, number, number, number][] = [];
    let at = 0;
    for (const [s, e] of runs) {
      if (e - s - k < MIN_B64) continue;
      let part = text.slice(s + k, e);
      const rem = part.length % 4;
      // A 4n+1 tail holds no whole byte: cut; a 4n+2 or 4n+3 tail is completed with zero bits.
      if (rem === 1) part = part.slice(0, -1);
      else if (rem) part += "AA".slice(0, 4 - rem);
      const bytes = (part.length / 4) * 3;
      pieces.push(part, "AAAA");
      spans.push([s, e, at, at + bytes]);
      at += bytes + 3;
    }
    if (!spans.length) continue;
    // Node's decoder takes both alphabets ('-' '_' as well as '+' '/').
    const decoded = Buffer.from(pieces.join(""), "base64").toString("latin1");
    // Most views of ordinary text are random bytes (the wrong alignments, identifiers that only look
    // like base64): of those, only printable runs of 8+ can hold anything to find, and only a view that
    // starts like a compressed stream is worth inflating. Found here in one pass over all views.
    const kept = new Map<number, string[]>();
    PRINTABLE_RUNS.lastIndex = 0;
    for (let m = PRINTABLE_RUNS.exec(decoded); m; m = PRINTABLE_RUNS.exec(decoded)) {
      const i = spanAt(spans, m.index);
      const list = kept.get(i);
      if (list) list.push(m[0]);
      else kept.set(i, [m[0]]);
    }
    PRINTABLE_RUNS.lastIndex = 0;
    spans.forEach(([s, e, from, to], i) => {
      const runsIn = kept.get(i);
      if (startsCompressed(decoded, from, to)) out.push({ start: s, end: e, text: decoded.slice(from, to), how: "base64" });
      else if (runsIn) out.push({ start: s, end: e, text: runsIn.length === 1 && runsIn[0]!.length === to - from ? runsIn[0]! : runsIn.join("\n\u0000\n"), how: "base64" });
    });
  }
  return out;
}

export const PRINTABLE_RUNS = /[\x09-\x0d\x20-\x7e]{8,}/g;

/** Index of the span whose decoded range holds position `at` (spans sorted, separated by NULs). */
function spanAt(spans: [number, number, number, number][], at: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]![2] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The view starts with gzip, zstd or zlib magic, or is long binary (a brotli candidate; brotli has no magic). */
function startsCompressed(d: string, from: number, to: number): boolean {
  if (to - from < 8) return false;
  const b0 = d.charCodeAt(from);
  const b1 = d.charCodeAt(from + 1);
  if ((b0 === 0x1f && b1 === 0x8b) || (b0 === 0x28 && b1 === 0xb5 && d.charCodeAt(from + 2) === 0x2f) || ((b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0)) {
    return true;
  }
  // Brotli: only views long enough to be worth it; the scanner bounds the number of trials.
  return to - from >= 64 && (b0 < 0x09 || (b0 > 0x0d && b0 < 0x20) || b0 > 0x7e);
}

const B64_CHAR = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f || c === 0x3d;

/** Length of the line break at `i` (LF, CRLF, or their JSON/C escapes "\\n", "\\r\\n"), 0 when there is none. */
function lineBreakAt(text: string, i: number): number {
  for (const br of ["\n", "\r\n", "\\n", "\\r\\n"]) if (text.startsWith(br, i)) return br.length;
  return 0;
}

/**
 * Base64 wrapped into lines (the base64 tool wraps at 76 columns, PEM and MIME at 64/76), raw
 * or inside a JSON string: a run followed by line breaks and more base64 is decoded joined, as
 * one segment from the first line to the last. Lines after the first may be of any length (the
 * last one is usually short). Linear: each character is looked at once.
 */
function wrappedBase64(text: string, runs: [number, number][]): Segment[] {
  const groups: { start: number; end: number; joined: string }[] = [];
  let covered = 0;
  for (const [s, e0] of runs) {
    if (s < covered) continue;
    const lines = [text.slice(s, e0)];
    let e = e0;
    for (;;) {
      // Padding ends a line ("=" is not in a base64 run) and, in base64, the data.
      let p = e;
      while (p < text.length && text.charCodeAt(p) === 0x3d) p++;
      const br = lineBreakAt(text, p);
      if (!br) break;
      let q = p + br;
      while (q < text.length && B64_CHAR(text.charCodeAt(q))) q++;
      if (q === p + br) break;
      lines.push(text.slice(p + br, q));
      e = q;
    }
    covered = e;
    if (lines.length > 1) groups.push({ start: s, end: e, joined: lines.join("") });
  }
  if (!groups.length) return [];
  // One batch over all groups: joined by a space (outside the alphabet), mapped back by index.
  let at = 0;
  const spans: [number, number][] = groups.map((g) => {
    const span: [number, number] = [at, at + g.joined.length];
    at += g.joined.length + 1;
    return span;
  });
  const byStart = new Map(spans.map(([a], i) => [a, groups[i]!]));
  return base64Batch(groups.map((g) => g.joined).join(" "), spans).map((seg) => {
    const g = byStart.get(seg.start)!;
    return { ...seg, start: g.start, end: g.end };
  });
}

function hexViews(run: string): string[] {
  const out: string[] = [];
  for (let k = 0; k < 2 && run.length - k >= MIN_HEX; k++) {
    out.push(Buffer.from(run.slice(k), "hex").toString("latin1"));
  }
  return out;
}

/** The compression format whose magic bytes `bytes` starts with (only the first 4 bytes are read). */
export function compressionMagic(bytes: Buffer): "gzip" | "zstd" | "deflate" | undefined {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (bytes.length < 4) return undefined;
  if (b0 === 0x1f && b1 === 0x8b) return "gzip";
  if (b0 === 0x28 && b1 === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return "zstd";
  if (b0 !== undefined && b1 !== undefined && (b0 & 0x0f) === 8 && (b0 >> 4) <= 7 && ((b0 << 8) | b1) % 31 === 0) return "deflate";
  return undefined;
}

/** Decoded bytes of a payload that starts with a known compression format, bounded; undefined when it is not compressed. */
export function decompressByMagic(bytes: Buffer, maxOutput: number): { how: string; data: Buffer } | undefined {
  const opts = { maxOutputLength: maxOutput };
  const attempt = (how: string, f: () => Buffer) => {
    try {
      return { how, data: f() };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
        throw new TooLargeToScan(`${how} data that expands past ${maxOutput} bytes`);
      }
      return undefined;
    }
  };
  switch (compressionMagic(bytes)) {
    case "gzip":
      return attempt("gzip", () => gunzipSync(bytes, opts));
    case "zstd":
      return attempt("zstd", () => zstdDecompressSync(bytes, opts));
    case "deflate":
      return attempt("deflate", () => inflateSync(bytes, opts));
    default:
      return undefined;
  }
}

/** Content-Encoding tokens → decoded body, bounded (throws TooLargeToScan past it; undefined when it does not decode). */
export function decodeContentEncoding(body: Buffer, encodings: readonly string[], maxOutput: number): Buffer | undefined {
  let data = body;
  const opts = { maxOutputLength: maxOutput };
  for (const enc of [...encodings].reverse()) {
    try {
      if (enc === "gzip" || enc === "x-gzip") data = gunzipSync(data, opts);
      else if (enc === "deflate") {
        try {
          data = inflateSync(data, opts);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw e;
          data = inflateRawSync(data, opts);
        }
      } else if (enc === "br") data = brotliDecompressSync(data, opts);
      else if (enc === "zstd") data = zstdDecompressSync(data, opts);
      else if (enc !== "identity") return undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
        throw new TooLargeToScan(`a ${enc} body that expands past ${maxOutput} bytes`);
      }
      return undefined;
    }
  }
  return data;
}

/**
 * Brotli has no magic bytes: a payload that is not text is tried as brotli
 * (garbage fails within a few bytes). Text never is: a text body's decoded
 * views come from the run decoders above.
 */
export function looksBinary(bytes: Buffer): boolean {
  const n = Math.min(bytes.length, 64);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c < 0x09 || (c > 0x0d && c < 0x20)) return true;
  }
  return false;
}

export function tryBrotli(bytes: Buffer, maxOutput: number): Buffer | undefined {
  try {
    const out = brotliDecompressSync(bytes, { maxOutputLength: maxOutput });
    return out.length ? out : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
      throw new TooLargeToScan(`brotli data that expands past ${maxOutput} bytes`);
    }
    return undefined;
  }
}

/**
 * Every decoded segment of `text` one level deep: percent-encoded runs,
 * base64 runs (four alignments), hex runs (two alignments), and the whole
 * text when it is a compressed payload. Callers recurse into segment text.
 */
export function decodedSegments(text: string, maxOutput: number, payload = false, bytes?: TextBytes): Segment[] {
  const out: Segment[] = [];
  if (payload && text.length >= 4) {
    const bytes = Buffer.from(text.slice(0, Math.min(text.length, maxOutput)), "latin1");
    const c = decompressByMagic(bytes, maxOutput);
    if (c) out.push({ start: 0, end: text.length, text: c.data.toString("latin1"), how: c.how });
    else if (looksBinary(bytes)) {
      const b = tryBrotli(bytes, maxOutput);
      if (b) out.push({ start: 0, end: text.length, text: b.toString("latin1"), how: "brotli" });
    }
  }
  const has = (needle: string) => contains(text, needle, bytes);
  if (has("%")) {
    for (const [s, e] of runsAround(text, PCT, URLISH)) out.push({ start: s, end: e, text: percentDecode(text.slice(s, e)), how: "percent-encoding" });
  }
  if (has("\\u") || has("\\x") || has("&#")) {
    for (const [s, e] of runsAround(text, ESC, TOKENISH)) out.push({ start: s, end: e, text: unescapeLiterals(text.slice(s, e)), how: "escaped" });
  }
  if (has("\xef\xbc") || has("\xef\xbd") || has("\xf0\x9d")) {
    for (const [s, e] of runsAround(text, COMPAT, TOKENISH)) {
      out.push({ start: s, end: e, text: Buffer.from(text.slice(s, e), "latin1").toString("utf8").normalize("NFKC"), how: "unicode compatibility forms" });
    }
  }
  const runs = base64Runs(text, bytes);
  if (runs.length) out.push(...base64Batch(text, runs), ...wrappedBase64(text, runs));
  // Hex runs (also inside a longer base64-alphabet run, e.g. "x-" + hex), both nibble alignments.
  // Hex digits are base64 characters: a hex run lies inside a base64 run at least as long.
  for (const [rs, re] of runs) {
    if (re - rs < MIN_HEX) continue;
    for (const [s, e] of runsOf(text.slice(rs, re), HEX_RUN)) {
      for (const t of hexViews(text.slice(rs + s, rs + e))) out.push({ start: rs + s, end: rs + e, text: t, how: "hex" });
    }
  }
  return out;
}
