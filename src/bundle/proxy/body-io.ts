// Moving message bodies between the agent and the origin with bounded
// memory: whole-body reads only up to the DLP scan cap, everything else
// streamed piece by piece with backpressure (SSE and downloads never buffer).
import type { Duplex } from "node:stream";
import type { BodyFraming } from "./http-head.ts";
import { ClosedError, type SocketReader, writeAll } from "./reader.ts";
import type { StreamScrub } from "./dlp/scrub.ts";

/** Largest piece moved at once; also the write size (big single writes are slow on Bun sockets). */
export const PIECE = 64 * 1024;

function chunkFrame(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from(b.length.toString(16) + "\r\n"), b, Buffer.from("\r\n")]);
}

class TooLarge extends Error {}

/**
 * Bytes all connections together may hold for scanning at once: each body is
 * bounded by the scan cap, and this bounds their sum (many agents' requests in
 * flight cannot exhaust the bundle's memory). Over budget, a request is refused
 * rather than forwarded unscanned.
 */
export class ScanBudget {
  private used = 0;
  constructor(readonly max: number) {}
  tryReserve(n: number): boolean {
    if (this.used + n > this.max) return false;
    this.used += n;
    return true;
  }
  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

class OverBudget extends Error {}

/**
 * The whole request body, or "too-large" past limit (checked per piece: a chunked body has no
 * length up front). `hold(n)` is asked before each piece is kept (the scan budget): memory is
 * reserved as bytes arrive, not as a Content-Length promises them — "busy" when it says no.
 */
export async function readWholeBody(
  reader: SocketReader,
  framing: BodyFraming,
  limit: number,
  hold?: (n: number) => boolean,
): Promise<Buffer | "too-large" | "busy"> {
  const got = await readBodyPieces(reader, framing, limit, hold);
  return typeof got === "string" ? got : Buffer.concat(got, got.reduce((n, b) => n + b.length, 0));
}

/** readWholeBody without the join: the pieces as they arrived (the scanner reads them in place). */
export async function readBodyPieces(
  reader: SocketReader,
  framing: BodyFraming,
  limit: number,
  hold?: (n: number) => boolean,
): Promise<Buffer[] | "too-large" | "busy"> {
  const parts: Buffer[] = [];
  let n = 0;
  const add = (b: Buffer) => {
    n += b.length;
    if (n > limit) throw new TooLarge();
    if (hold && !hold(b.length)) throw new OverBudget();
    parts.push(b);
  };
  try {
    if (framing.kind === "length") {
      while (n < framing.length) {
        const b = await reader.readSome(Math.min(PIECE, framing.length - n));
        if (!b) throw new ClosedError("client closed in the middle of the body");
        add(b);
      }
    } else if (framing.kind === "chunked") {
      for (let more = true; more; ) more = await reader.readChunk(add);
    } else if (framing.kind === "close") {
      for (let b = await reader.readSome(PIECE); b; b = await reader.readSome(PIECE)) add(b);
    }
  } catch (e) {
    if (e instanceof TooLarge) return "too-large";
    if (e instanceof OverBudget) return "busy";
    throw e;
  }
  return parts;
}

/** Stream a request body to the origin, re-framing chunked bodies; returns payload bytes. */
export async function streamRequestBody(reader: SocketReader, up: Duplex, framing: BodyFraming): Promise<number> {
  let n = 0;
  if (framing.kind === "length") {
    while (n < framing.length) {
      const b = await reader.readSome(Math.min(PIECE, framing.length - n));
      if (!b) throw new ClosedError("client closed in the middle of the body");
      n += b.length;
      await writeAll(up, b);
    }
  } else if (framing.kind === "chunked") {
    let more = true;
    while (more) {
      more = await reader.readChunk(async (b) => {
        n += b.length;
        await writeAll(up, chunkFrame(b));
      });
    }
    await writeAll(up, "0\r\n\r\n");
  }
  return n;
}

/** Largest first body piece sent in one write with the response head. */
const MERGE_MAX = 16 * 1024;

/**
 * Stream a response body to the agent; bodies without a length are sent
 * chunked (or raw, for an HTTP/1.0 agent). With `scrub`, every piece passes
 * through it (real credentials out); `reframe` sends a length-framed body
 * chunked because the scrubbed length may differ. `head` (the response head)
 * goes first: for a length-framed body whose first bytes are already here,
 * together with the first piece when it is small (one TLS record and one
 * write for a small response); else at once — never held back waiting for
 * the body (server-sent events start with their head).
 */
export async function streamResponseBody(
  reader: SocketReader,
  client: Duplex,
  framing: BodyFraming,
  chunked = true,
  scrub?: StreamScrub,
  reframe = false,
  head?: Buffer,
): Promise<number> {
  let n = 0;
  const framed = framing.kind !== "length" || reframe;
  let pending = head;
  const write = async (b: Buffer | string) => {
    const h = pending;
    pending = undefined;
    if (h && b.length <= MERGE_MAX) return writeAll(client, Buffer.concat([h, typeof b === "string" ? Buffer.from(b) : b]));
    if (h) await writeAll(client, h);
    await writeAll(client, b);
  };
  if (pending && (framing.kind !== "length" || reader.buffered === 0)) {
    await writeAll(client, pending);
    pending = undefined;
  }
  const send = async (b: Buffer) => {
    const out = scrub ? scrub.push(b) : b;
    if (!out.length) {
      // The scrubber holds this piece back (it may end in part of a credential): the head does not wait.
      if (pending) await write(Buffer.alloc(0));
      return;
    }
    n += out.length;
    await write(framed && chunked ? chunkFrame(out) : out);
  };
  const finish = async () => {
    const rest = scrub?.end();
    if (rest?.length) {
      n += rest.length;
      await write(framed && chunked ? chunkFrame(rest) : rest);
    }
    if (framed && chunked) await write("0\r\n\r\n");
    if (pending) await write(Buffer.alloc(0));
  };
  switch (framing.kind) {
    case "none":
      return 0;
    case "length": {
      let left = framing.length;
      while (left > 0) {
        const b = await reader.readSome(Math.min(PIECE, left));
        if (!b) throw new ClosedError("upstream closed in the middle of the body");
        left -= b.length;
        await send(b);
      }
      await finish();
      return n;
    }
    case "chunked": {
      // Each upstream chunk is forwarded as soon as it arrives: server-sent events stream through.
      let more = true;
      while (more) more = await reader.readChunk(send);
      await finish();
      return n;
    }
    case "close":
      for (let b = await reader.readSome(PIECE); b; b = await reader.readSome(PIECE)) await send(b);
      await finish();
      return n;
  }
}
