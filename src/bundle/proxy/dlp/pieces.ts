// Pure: a body held as the pieces it arrived in (TLS records of 16–64 KiB).
// The scanner copies each window out of them into one reused buffer, so a
// 1 MiB upload is never joined into a second 1 MiB copy only to be scanned and
// forwarded; it is joined only where a decoder needs it whole.

export class Pieces {
  readonly length: number;
  /** Offset of each piece in the body. */
  private readonly starts: number[] = [];

  constructor(readonly parts: readonly Buffer[]) {
    let at = 0;
    for (const p of parts) {
      this.starts.push(at);
      at += p.length;
    }
    this.length = at;
  }

  /** Index of the piece holding byte `at` (0 ≤ at < length). */
  private pieceAt(at: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First index ≥ from of the byte `b`, or -1. */
  indexOfByte(b: number, from: number): number {
    if (from >= this.length) return -1;
    for (let i = this.pieceAt(Math.max(0, from)); i < this.parts.length; i++) {
      const s = this.starts[i]!;
      const j = this.parts[i]!.indexOf(b, Math.max(0, from - s));
      if (j >= 0) return s + j;
    }
    return -1;
  }

  /**
   * Bytes [start, end): a view into one piece when they lie in one, else copied
   * into `scratch` (grown when too small; the caller keeps the returned buffer's
   * parent for the next call). The result is valid until the next call.
   */
  range(start: number, end: number, scratch: { buf?: Buffer }): Buffer {
    const first = this.pieceAt(start);
    const s0 = this.starts[first]!;
    const p0 = this.parts[first]!;
    if (end - s0 <= p0.length) return p0.subarray(start - s0, end - s0);
    const n = end - start;
    if (!scratch.buf || scratch.buf.length < n) scratch.buf = Buffer.allocUnsafe(n);
    let w = 0;
    for (let i = first; w < n; i++) {
      const p = this.parts[i]!;
      const from = i === first ? start - s0 : 0;
      w += p.copy(scratch.buf, w, from, Math.min(p.length, from + (n - w)));
    }
    return scratch.buf.subarray(0, n);
  }

  /** The whole body as one buffer (a view when it is one piece). */
  join(): Buffer {
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts as Buffer[], this.length);
  }
}
