// Pure: real credential values coming back from upstream (an echo endpoint,
// a debug page, a hostile gateway) are swapped for the route's placeholder
// before the agent sees them — raw, percent-encoded, hex and base64 at each
// alignment, form for form, so a same-length placeholder keeps every length.
// Streaming: a response is scrubbed chunk by chunk, holding back only a tail
// that could still be the start of a credential (an SSE event ending in a
// newline is never held).
import { encodedForms, MIN_SECRET_LENGTH } from "./scan.ts";
import { escapeRegExp } from "../../../util/regex.ts";

export interface Credential {
  /** Bundle env var holding it (named in the audit log, never the value). */
  name: string;
  real: string;
  placeholder: string;
}

export interface Scrubber {
  /** Real form → placeholder form (same key in encodedForms). */
  readonly swaps: ReadonlyMap<string, { to: string; name: string }>;
  /** Every swap keeps the length: Content-Length and WebSocket frame lengths stay valid. */
  readonly sameLength: boolean;
  readonly re: RegExp;
  readonly longest: number;
}

/** Earlier credentials win a shared real value: list the route a response came from first. */
export function makeScrubber(creds: readonly Credential[]): Scrubber | undefined {
  const swaps = new Map<string, { to: string; name: string }>();
  for (const c of creds) {
    if (c.real.length < MIN_SECRET_LENGTH) continue;
    const from = encodedForms(c.real);
    const to = encodedForms(c.placeholder);
    for (const [key, f] of from) {
      const t = to.get(key);
      if (t !== undefined && f.length >= MIN_SECRET_LENGTH && f !== t && !swaps.has(f)) swaps.set(f, { to: t, name: c.name });
    }
  }
  if (!swaps.size) return undefined;
  // Longest first: a longer form wins over one of its own substrings.
  const keys = [...swaps.keys()].sort((a, b) => b.length - a.length);
  return {
    swaps,
    sameLength: [...swaps].every(([f, t]) => f.length === t.to.length),
    re: new RegExp(keys.map(escapeRegExp).join("|"), "g"),
    longest: keys[0]!.length,
  };
}

/** text (latin1) with every real form replaced; `names` collects which credentials were found. */
export function scrubText(s: Scrubber, text: string, names?: Set<string>): string {
  s.re.lastIndex = 0;
  if (!s.re.test(text)) return text;
  return text.replace(s.re, (m) => {
    const w = s.swaps.get(m)!;
    names?.add(w.name);
    return w.to;
  });
}

/** Longest suffix of text that is a proper prefix of some real form (what must wait for the next chunk). */
function pendingTail(s: Scrubber, text: string): number {
  const max = Math.min(text.length, s.longest - 1);
  for (let n = max; n > 0; n--) {
    const tail = text.slice(text.length - n);
    for (const f of s.swaps.keys()) if (f.length > n && f.startsWith(tail)) return n;
  }
  return 0;
}

/** One response body's scrubbing state across its chunks. */
export class StreamScrub {
  private held = "";
  /** Credentials found so far (for the audit log). */
  readonly found = new Set<string>();
  constructor(private readonly s: Scrubber) {}

  /** Scrubbed bytes safe to send now. */
  push(chunk: Buffer): Buffer {
    const text = scrubText(this.s, this.held + chunk.toString("latin1"), this.found);
    const keep = pendingTail(this.s, text);
    this.held = text.slice(text.length - keep);
    return Buffer.from(keep ? text.slice(0, text.length - keep) : text, "latin1");
  }

  /** What was held back, at the end of the body. */
  end(): Buffer {
    const out = Buffer.from(this.held, "latin1");
    this.held = "";
    return out;
  }
}
