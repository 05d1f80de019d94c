// Pure: the few DER (ASN.1) encodings an X.509 certificate needs, and a
// minimal reader to pick fields back out of one. Enough for our own CA and
// leaves; not a general ASN.1 library.

export type Bytes = Uint8Array<ArrayBuffer>;

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function concat(parts: Bytes[]): Bytes {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function lengthBytes(n: number): Bytes {
  if (n < 0x80) return Uint8Array.of(n);
  const bs: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bs.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bs.length, ...bs);
}

export function tlv(tag: number, ...content: Bytes[]): Bytes {
  const body = concat(content);
  return concat([Uint8Array.of(tag), lengthBytes(body.length), body]);
}

export const seq = (...items: Bytes[]) => tlv(TAG.sequence, ...items);
export const set = (...items: Bytes[]) => tlv(TAG.set, ...items);
export const octets = (b: Bytes) => tlv(TAG.octetString, b);
export const utf8 = (s: string) => tlv(TAG.utf8String, new TextEncoder().encode(s));
export const bool = (v: boolean) => tlv(TAG.boolean, Uint8Array.of(v ? 0xff : 0));
/** Bit string with no unused bits (signatures, key bits). */
export const bitString = (b: Bytes, unusedBits = 0) => tlv(TAG.bitString, Uint8Array.of(unusedBits), b);
/** Context-specific constructed [n] (EXPLICIT tagging). */
export const explicit = (n: number, inner: Bytes) => tlv(0xa0 | n, inner);
/** Context-specific primitive [n] (IMPLICIT tagging of a primitive). */
export const implicit = (n: number, content: Bytes) => tlv(0x80 | n, content);

/** Unsigned big-endian integer bytes → DER INTEGER (minimal, positive). */
export function uint(b: Bytes): Bytes {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v.length === 0) v = Uint8Array.of(0);
  if (v[0]! & 0x80) v = concat([Uint8Array.of(0), v]);
  return tlv(TAG.integer, v);
}

export const small = (n: number) => uint(Uint8Array.of(n));

export function oid(dotted: string): Bytes {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const bs: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) bs.unshift((v & 0x7f) | 0x80);
    out.push(...bs);
  }
  return tlv(TAG.oid, Uint8Array.from(out));
}

/** UTCTime before 2050, GeneralizedTime after (RFC 5280 4.1.2.5). */
export function time(d: Date): Bytes {
  const iso = d.toISOString(); // 2026-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "") + "Z"; // 20260102030405Z
  const year = d.getUTCFullYear();
  if (year < 2050) return tlv(TAG.utcTime, new TextEncoder().encode(digits.slice(2)));
  return tlv(TAG.generalizedTime, new TextEncoder().encode(digits));
}

/** WebCrypto ECDSA signatures are r||s; X.509 wants SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaSigToDer(raw: Bytes): Bytes {
  const half = raw.length / 2;
  return seq(uint(raw.subarray(0, half)), uint(raw.subarray(half)));
}

export { concat };

// --- reading ---------------------------------------------------------------

export interface Element {
  tag: number;
  /** The whole TLV. */
  raw: Bytes;
  /** The content bytes. */
  content: Bytes;
}

export function readElement(b: Bytes, offset = 0): Element {
  const tag = b[offset];
  let len = b[offset + 1];
  if (tag === undefined || len === undefined) throw new Error("DER: truncated");
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error("DER: unsupported length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[offset + 2 + i] ?? 0);
    head += n;
  }
  const end = offset + head + len;
  if (end > b.length) throw new Error("DER: truncated");
  return { tag, raw: b.subarray(offset, end), content: b.subarray(offset + head, end) };
}

/** The direct children of a constructed element. */
export function children(e: Element): Element[] {
  const out: Element[] = [];
  for (let o = 0; o < e.content.length; ) {
    const c = readElement(e.content, o);
    out.push(c);
    o += c.raw.length;
  }
  return out;
}

export function pemToDer(pem: string, label: string): Bytes {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`no ${label} block in PEM`);
  return Uint8Array.from(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
}

export function derToPem(der: Bytes, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
