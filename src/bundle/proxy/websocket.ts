// WebSocket relay after 101 Switching Protocols: frames are parsed in both
// directions instead of joining the sockets byte for byte. Agent → server:
// each data message (fragments reassembled, bounded) is scanned like a
// request body before any of its frames is forwarded; a finding closes both
// sides with 1008 (policy violation) and a reason the agent can read. Server →
// agent: real credentials are scrubbed from payloads (across fragments of one
// message). Compression (permessage-deflate) is never negotiated — the request
// loses Sec-WebSocket-Extensions — so a frame with RSV bits set is refused.
import type { Duplex } from "node:stream";
import { hopByHop, withoutHeaders, type Header, type ResponseHead } from "./http-head.ts";
import { ClosedError, type SocketReader, writeAll } from "./reader.ts";
import { scanBody, TooLargeToScan, type ScanPolicy } from "./dlp/scan.ts";
import { scrubText, StreamScrub, type Scrubber } from "./dlp/scrub.ts";

export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;
export const CLOSE_PROTOCOL = 1002;

export interface Frame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Unmasked payload. */
  payload: Buffer;
  /** The frame exactly as received. */
  raw: Buffer;
}

export class FrameError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface FrameHead {
  fin: boolean;
  rsv: number;
  opcode: number;
  len: number;
  key?: Buffer;
  /** The head bytes as received. */
  raw: Buffer;
}

async function readFrameHead(reader: SocketReader, max: number): Promise<FrameHead | null> {
  const first = await reader.readSome(1);
  if (!first) return null;
  const b0 = first[0]!;
  const b1 = (await reader.readExactly(1))[0]!;
  let len = b1 & 0x7f;
  const parts: Buffer[] = [first, Buffer.from([b1])];
  if (len === 126) {
    const ext = await reader.readExactly(2);
    parts.push(ext);
    len = ext.readUInt16BE(0);
  } else if (len === 127) {
    const ext = await reader.readExactly(8);
    parts.push(ext);
    const big = ext.readBigUInt64BE(0);
    if (big > BigInt(max)) throw new FrameError(CLOSE_TOO_BIG, `a frame of ${big} bytes is over the ${max}-byte scan limit`);
    len = Number(big);
  }
  if (len > max) throw new FrameError(CLOSE_TOO_BIG, `a frame of ${len} bytes is over the ${max}-byte scan limit`);
  let key: Buffer | undefined;
  if ((b1 & 0x80) !== 0) {
    key = Buffer.from(await reader.readExactly(4));
    parts.push(key);
  }
  return { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 0x7, opcode: b0 & 0x0f, len, key, raw: Buffer.concat(parts) };
}

/** The next frame, or null at a clean end of stream. Payloads over `max` are refused before they are read. */
export async function readFrame(reader: SocketReader, max: number): Promise<Frame | null> {
  const h = await readFrameHead(reader, max);
  if (!h) return null;
  const body = h.len ? Buffer.from(await reader.readExactly(h.len)) : Buffer.alloc(0);
  const payload = h.key ? unmask(body, h.key) : body;
  return { fin: h.fin, rsv: h.rsv, opcode: h.opcode, masked: !!h.key, payload, raw: Buffer.concat([h.raw, body]) };
}

/** Frames from the server up to this size are handled whole; larger ones stream through in pieces. */
const WHOLE_FRAME = 1024 * 1024;

function unmask(data: Buffer, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ key[i & 3]!;
  return out;
}

/** One frame, unmasked unless a mask key is given (a client's frames must be masked). */
export function encodeFrame(fin: boolean, opcode: number, payload: Buffer, maskKey?: Buffer): Buffer {
  const len = payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | opcode];
  const m = maskKey ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(m | 127, ...b);
  }
  const parts: Buffer[] = [Buffer.from(head)];
  if (maskKey) parts.push(maskKey, unmask(payload, maskKey));
  else parts.push(payload);
  return Buffer.concat(parts);
}

export function closeFrame(code: number, reason: string, maskKey?: Buffer): Buffer {
  const text = Buffer.from(reason.slice(0, 120), "utf8").subarray(0, 123);
  const p = Buffer.alloc(2 + text.length);
  p.writeUInt16BE(code, 0);
  text.copy(p, 2);
  return encodeFrame(true, 0x8, p, maskKey);
}

/** The 101 the agent gets: the server's headers, scrubbed, without hop-by-hop ones or extensions. */
export function upgradeResponseHeaders(head: ResponseHead, scrubber: Scrubber | undefined): Header[] {
  let headers = withoutHeaders(head.headers, [...hopByHop(head.headers), "sec-websocket-extensions"]);
  if (scrubber) headers = headers.map(([k, v]) => [scrubText(scrubber, k), scrubText(scrubber, v)]);
  headers.push(["Connection", "Upgrade"], ["Upgrade", "websocket"]);
  return headers;
}

export interface WsSides {
  client: Duplex;
  clientReader: SocketReader;
  up: Duplex;
  upReader: SocketReader;
}

export interface WsOptions {
  policy: ScanPolicy;
  scrubber?: Scrubber;
  /** Largest message (all fragments) scanned; over it the connection closes with 1009. */
  maxMessage: number;
}

export interface WsOutcome {
  /** Why the agent's side was closed by DLP, if it was. */
  blocked?: string;
  /** Credentials scrubbed from server frames. */
  scrubbed: string[];
}

/** Relay frames until either side closes; resolves when both sockets are gone. */
export async function relayWebSocket(sides: WsSides, head101: string, opts: WsOptions): Promise<WsOutcome> {
  const outcome: WsOutcome = { scrubbed: [] };
  const { client, up } = sides;
  (up as { setTimeout?: (ms: number) => void }).setTimeout?.(0);
  await writeAll(client, head101);
  const shut = (toClient?: Buffer, toUp?: Buffer) => {
    if (toClient && !client.destroyed) client.write(toClient);
    if (toUp && !up.destroyed) up.write(toUp);
    // end() flushes the close frames; destroy shortly after in case a peer never closes its side.
    client.end();
    up.end();
    setTimeout(() => {
      client.destroy();
      up.destroy();
    }, 1000).unref?.();
  };
  const mask = () => Buffer.from(crypto.getRandomValues(new Uint8Array(4)));

  const agentToServer = async () => {
    let held: Frame[] = [];
    let size = 0;
    for (;;) {
      const f = await readFrame(sides.clientReader, opts.maxMessage);
      if (!f) return;
      if (f.rsv) throw new FrameError(CLOSE_PROTOCOL, "compressed or extension frames are not relayed (no extension was negotiated)");
      if (f.opcode >= 8) {
        const hit = scanBody(f.payload, "a WebSocket control frame", opts.policy);
        if (hit) throw new FrameError(CLOSE_POLICY, hit.message);
        await writeAll(up, f.raw);
        continue;
      }
      if (f.opcode !== 0 && held.length) throw new FrameError(CLOSE_PROTOCOL, "a new message started inside a fragmented one");
      if (f.opcode === 0 && !held.length) throw new FrameError(CLOSE_PROTOCOL, "a continuation frame outside a message");
      held.push(f);
      size += f.payload.length;
      if (size > opts.maxMessage) throw new FrameError(CLOSE_TOO_BIG, `a message over the ${opts.maxMessage}-byte scan limit`);
      if (!f.fin) continue;
      const message = held.length === 1 ? f.payload : Buffer.concat(held.map((h) => h.payload));
      const hit = scanBody(message, "a WebSocket message", opts.policy);
      if (hit) throw new FrameError(CLOSE_POLICY, hit.message);
      for (const h of held) await writeAll(up, h.raw);
      held = [];
      size = 0;
    }
  };

  const serverToAgent = async () => {
    let scrub: StreamScrub | undefined;
    for (;;) {
      const h = await readFrameHead(sides.upReader, Number.MAX_SAFE_INTEGER);
      if (!h) return;
      if (h.rsv) throw new FrameError(CLOSE_PROTOCOL, "the server sent compressed or extension frames, which were not negotiated");
      if (h.key) throw new FrameError(CLOSE_PROTOCOL, "the server sent a masked frame");
      const streamable = !opts.scrubber || opts.scrubber.sameLength;
      if (!streamable && h.len > opts.maxMessage) throw new FrameError(CLOSE_TOO_BIG, "a server frame too large to scrub");
      if (h.len > WHOLE_FRAME && streamable) {
        // A big frame is not held whole: streamed piece by piece (scrubbed in place: swaps keep lengths).
        if (h.opcode !== 0 || !scrub) scrub = opts.scrubber ? new StreamScrub(opts.scrubber) : undefined;
        await writeAll(client, h.raw);
        let left = h.len;
        while (left > 0) {
          const piece = await sides.upReader.readSome(Math.min(left, 64 * 1024));
          if (!piece) throw new ClosedError("server closed in the middle of a frame");
          left -= piece.length;
          // Held-back bytes of a piece come out with a later one: the frame's total length is unchanged.
          const out = !scrub ? piece : left === 0 ? Buffer.concat([scrub.push(piece), scrub.end()]) : scrub.push(piece);
          if (out.length) await writeAll(client, out);
        }
        if (scrub) note(scrub.found);
        continue;
      }
      const body = h.len ? Buffer.from(await sides.upReader.readExactly(h.len)) : Buffer.alloc(0);
      const f: Frame = { fin: h.fin, rsv: h.rsv, opcode: h.opcode, masked: false, payload: body, raw: Buffer.concat([h.raw, body]) };
      if (!opts.scrubber) {
        await writeAll(client, f.raw);
        continue;
      }
      if (f.opcode >= 8) {
        const found = new Set<string>();
        const p = Buffer.from(scrubText(opts.scrubber, f.payload.toString("latin1"), found), "latin1");
        note(found);
        await writeAll(client, found.size ? encodeFrame(f.fin, f.opcode, p) : f.raw);
        continue;
      }
      if (f.opcode !== 0 || !scrub) scrub = new StreamScrub(opts.scrubber);
      let out = scrub.push(f.payload);
      if (f.fin) out = Buffer.concat([out, scrub.end()]);
      note(scrub.found);
      await writeAll(client, encodeFrame(f.fin, f.opcode, out));
    }
  };
  const note = (found: Set<string>) => {
    for (const n of found) if (!outcome.scrubbed.includes(n)) outcome.scrubbed.push(n);
  };

  const fail = (e: unknown, side: "agent" | "server") => {
    if (e instanceof FrameError) {
      if (e.code === CLOSE_POLICY) outcome.blocked = e.message;
      const why = e.code === CLOSE_POLICY ? `bot-bottle proxy: blocked ${e.message}` : `bot-bottle proxy: ${e.message}`;
      shut(closeFrame(e.code, why), closeFrame(e.code, side === "agent" ? "policy violation" : "protocol error", mask()));
    } else if (e instanceof TooLargeToScan) {
      outcome.blocked = e.message;
      shut(closeFrame(CLOSE_TOO_BIG, `bot-bottle proxy: ${e.message}`), closeFrame(CLOSE_TOO_BIG, "message too big", mask()));
    } else if (!(e instanceof ClosedError)) shut();
  };

  await new Promise<void>((resolve) => {
    let left = 2;
    const done = () => {
      if (--left === 0) resolve();
      else shut();
    };
    client.once("error", () => shut());
    up.once("error", () => shut());
    agentToServer()
      .catch((e) => fail(e, "agent"))
      .finally(() => {
        if (!outcome.blocked) up.end();
        done();
      });
    serverToAgent()
      .catch((e) => fail(e, "server"))
      .finally(() => {
        client.end();
        done();
      });
  });
  return outcome;
}
