// Pull-style reading over a node socket, with bounded buffering: the socket
// is paused while more than HIGH_WATER bytes wait to be consumed, so a fast
// sender cannot make the proxy hold more than that per connection.
import type { Duplex } from "node:stream";
import { HeadError, parseChunkSize } from "./http-head.ts";

const HIGH_WATER = 256 * 1024;
const CRLFCRLF = Buffer.from("\r\n\r\n");

export class ClosedError extends Error {}
/** A request head that did not arrive in time (slowloris): the connection is dropped. */
export class HeadTimeout extends Error {}

export class SocketReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private readonly listeners: [string, (...a: any[]) => void][];

  constructor(readonly sock: Duplex) {
    const onData = (d: Buffer) => {
      this.chunks.push(d);
      this.size += d.length;
      if (this.size > HIGH_WATER && !this.paused) {
        this.paused = true;
        sock.pause();
      }
      this.notify();
    };
    const onEnd = () => {
      this.ended = true;
      this.notify();
    };
    const onError = (e: Error) => {
      this.failure = e;
      this.notify();
    };
    this.listeners = [
      ["data", onData],
      ["end", onEnd],
      ["close", onEnd],
      ["error", onError],
    ];
    for (const [ev, fn] of this.listeners) sock.on(ev, fn);
  }

  private notify() {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async waitForData(timeoutMs?: number): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.ended) return;
    if (this.paused) {
      this.paused = false;
      this.sock.resume();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((r) => {
      this.wake = r;
      if (timeoutMs !== undefined) timer = setTimeout(() => this.notify(), Math.max(0, timeoutMs));
    });
    clearTimeout(timer);
    if (this.failure) throw this.failure;
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Remove and return the first n buffered bytes (n ≤ size); copies only when n spans chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first && n <= first.length) {
      const out = first.subarray(0, n);
      if (n === first.length) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.size -= n;
      return out;
    }
    const all = this.flatten();
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.size = rest.length;
    return out;
  }

  /** Index of needle in the buffered bytes, looking in the first chunk before joining them. */
  private find(needle: Buffer | string): number {
    const first = this.chunks[0];
    if (!first) return -1;
    const i = first.indexOf(needle);
    if (i >= 0 || this.chunks.length === 1) return i;
    return this.flatten().indexOf(needle);
  }

  get buffered(): number {
    return this.size;
  }

  /**
   * Bytes up to and including CRLFCRLF; null on a clean EOF before any byte.
   * `deadline` (epoch ms) bounds the whole head; without it, the head must
   * complete within `completeMs` of its first byte (a client trickling a head
   * byte by byte cannot hold a connection slot forever).
   */
  async readHead(limit: number, opts: { deadline?: number; completeMs?: number } = {}): Promise<Buffer | null> {
    let deadline = opts.deadline;
    for (;;) {
      if (this.size > 0 && deadline === undefined && opts.completeMs !== undefined) deadline = Date.now() + opts.completeMs;
      if (deadline !== undefined && Date.now() >= deadline) throw new HeadTimeout("the request head did not complete in time");
      if (this.size > 0) {
        // Heads start with a method or "HTTP/": anything else (TLS, binary) is refused at once, not waited on.
        const b0 = this.chunks[0]![0]!;
        if (b0 < 0x21 || b0 > 0x7e) throw new HeadError("not an HTTP/1.1 message (TLS or binary data sent to a plain HTTP proxy port?)");
        const i = this.find(CRLFCRLF);
        if (i >= 0) {
          if (i + 4 > limit) throw new HeadError(`message head larger than ${limit} bytes`);
          return this.take(i + 4);
        }
        if (this.size > limit) throw new HeadError(`message head larger than ${limit} bytes`);
      }
      if (this.ended) {
        if (this.size === 0) return null;
        throw new ClosedError("connection closed in the middle of a message head");
      }
      await this.waitForData(deadline === undefined ? undefined : deadline - Date.now());
    }
  }

  /** Up to max bytes as soon as any are there; null at EOF. */
  async readSome(max: number): Promise<Buffer | null> {
    while (this.size === 0) {
      if (this.ended) return null;
      await this.waitForData();
    }
    // At most the first buffered chunk: no copying on the streaming path.
    return this.take(Math.min(max, this.chunks[0]!.length));
  }

  async readExactly(n: number): Promise<Buffer> {
    while (this.size < n) {
      if (this.ended) throw new ClosedError("connection closed in the middle of a body");
      await this.waitForData();
    }
    return this.take(n);
  }

  async readLine(limit: number): Promise<string> {
    for (;;) {
      if (this.size > 0) {
        const i = this.find("\r\n");
        if (i >= 0) {
          if (i > limit) throw new HeadError("line too long");
          return this.take(i + 2).subarray(0, i).toString("latin1");
        }
        if (this.size > limit) throw new HeadError("line too long");
      }
      if (this.ended) throw new ClosedError("connection closed in the middle of a line");
      await this.waitForData();
    }
  }

  /**
   * Read one chunk of a chunked body, calling onData with the payload slices.
   * Returns false after the last (zero) chunk and its trailers.
   */
  async readChunk(onData: (b: Buffer) => Promise<void> | void): Promise<boolean> {
    const size = parseChunkSize(await this.readLine(4096));
    if (size === 0) {
      // Trailers are dropped: they are hop-by-hop for us and rarely used.
      for (let i = 0; i < 64; i++) if ((await this.readLine(8192)) === "") return false;
      throw new HeadError("too many trailer lines");
    }
    let left = size;
    while (left > 0) {
      const b = await this.readSome(Math.min(left, 64 * 1024));
      if (!b) throw new ClosedError("connection closed in the middle of a chunk");
      left -= b.length;
      await onData(b);
    }
    if ((await this.readLine(16)) !== "") throw new HeadError("missing CRLF after chunk");
    return true;
  }

  /** Stop reading: remove listeners and hand back whatever was buffered (for tunnels and TLS upgrades). */
  detach(): Buffer {
    for (const [ev, fn] of this.listeners) this.sock.off(ev, fn);
    const rest = this.flatten();
    this.chunks = [];
    this.size = 0;
    // A paused socket stays paused: the new owner (pipe, TLS) resumes it once it listens.
    return rest;
  }
}

/** Write with backpressure: wait for 'drain' when the socket's buffer is full. */
export function writeAll(sock: Duplex, data: Buffer | string): Promise<void> | void {
  if (sock.destroyed) throw new ClosedError("peer closed the connection");
  if (sock.write(data)) return;
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      sock.off("drain", onDrain);
      sock.off("close", onClose);
      sock.off("error", onClose);
      err ? reject(err) : resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new ClosedError("peer closed the connection"));
    sock.on("drain", onDrain);
    sock.on("close", onClose);
    sock.on("error", onClose);
  });
}
