// Decode a base64 file into another, a bounded piece at a time: an export can
// be as large as the disk allows, and must never be held in memory whole.
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";

const PIECE = 4 * 1024 * 1024;

/**
 * Decode `src` (base64, whitespace ignored) into `dst`, replacing it only once
 * whole. Throws on characters outside the base64 alphabet.
 */
export function decodeBase64File(src: string, dst: string, piece = PIECE): void {
  const tmp = `${dst}.decoding`;
  const inFd = openSync(src, "r");
  let outFd: number | undefined;
  try {
    outFd = openSync(tmp, "w", 0o600);
    const buf = Buffer.allocUnsafe(piece);
    let carry = "";
    for (;;) {
      const n = readSync(inFd, buf, 0, piece, null);
      if (n === 0) break;
      const text = carry + buf.toString("latin1", 0, n).replace(/\s+/g, "");
      if (/[^A-Za-z0-9+/=]/.test(text)) throw new Error("the export is not base64");
      // Decode whole quads only; the rest waits for the next piece.
      const whole = text.length - (text.length % 4);
      carry = text.slice(whole);
      if (whole) writeSync(outFd, Buffer.from(text.slice(0, whole), "base64"));
    }
    if (carry) throw new Error("the export's base64 ends in the middle of a group (cut off?)");
    closeSync(outFd);
    outFd = undefined;
    renameSync(tmp, dst);
  } catch (e) {
    if (outFd !== undefined) closeSync(outFd);
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    closeSync(inFd);
  }
}
