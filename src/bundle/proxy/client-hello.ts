// Pure: the SNI of a TLS ClientHello, read from the first bytes a client sends
// into a tunnel we do not intercept — so even a blind tunnel is refused when
// the client names another server than the CONNECT host (domain fronting).

export type HelloParse =
  /** Need more bytes (up to the first record's end). */
  | { state: "incomplete" }
  /** Not a TLS handshake at all. */
  | { state: "not-tls" }
  /** A TLS record that is not a parsable ClientHello. */
  | { state: "malformed"; reason: string }
  /** sni is undefined when the client sent none (IP-literal servers). */
  | { state: "hello"; sni?: string };

/** Largest TLS record (2^14 plus expansion); a first record beyond this is malformed. */
const MAX_RECORD = 16384 + 2048;

export function parseClientHello(buf: Uint8Array): HelloParse {
  if (buf.length < 1) return { state: "incomplete" };
  if (buf[0] !== 0x16) return { state: "not-tls" };
  if (buf.length < 5) return { state: "incomplete" };
  if (buf[1] !== 0x03) return { state: "malformed", reason: "unknown TLS record version" };
  const recLen = (buf[3]! << 8) | buf[4]!;
  if (recLen > MAX_RECORD) return { state: "malformed", reason: "oversized TLS record" };
  if (buf.length < 5 + recLen) return { state: "incomplete" };
  const rec = buf.subarray(5, 5 + recLen);
  let p = 0;
  const need = (n: number) => {
    if (p + n > rec.length) throw new Error("ClientHello truncated (split over several records?)");
  };
  const u8 = () => (need(1), rec[p++]!);
  const u16 = () => (need(2), (p += 2), (rec[p - 2]! << 8) | rec[p - 1]!);
  const u24 = () => (need(3), (p += 3), (rec[p - 3]! << 16) | (rec[p - 2]! << 8) | rec[p - 1]!);
  const skip = (n: number) => (need(n), (p += n));
  try {
    if (u8() !== 1) return { state: "malformed", reason: "first handshake message is not a ClientHello" };
    const helloLen = u24();
    if (helloLen > rec.length - 4) throw new Error("ClientHello split over several records");
    skip(2 + 32); // client_version, random
    skip(u8()); // session_id
    skip(u16()); // cipher_suites
    skip(u8()); // compression_methods
    if (p === 4 + helloLen) return { state: "hello" }; // no extensions
    const extEnd = u16() + p;
    while (p < extEnd) {
      const type = u16();
      const len = u16();
      if (type !== 0) {
        skip(len);
        continue;
      }
      const listEnd = u16() + p;
      while (p < listEnd) {
        const nameType = u8();
        const nameLen = u16();
        need(nameLen);
        const name = Buffer.from(rec.subarray(p, p + nameLen)).toString("latin1");
        p += nameLen;
        if (nameType === 0) return { state: "hello", sni: name.toLowerCase() };
      }
    }
    return { state: "hello" };
  } catch (e) {
    return { state: "malformed", reason: (e as Error).message };
  }
}
