// Pure: a tar archive (ustar) of a few small files held in memory, for the
// engine API's archive upload (files placed in a container before it starts).

export interface TarFile {
  /** Relative path inside the archive, e.g. `etc/bot-bottle/x.sh` (no leading slash). */
  path: string;
  content: string | Uint8Array;
  mode: number;
  uid?: number;
  gid?: number;
}

const BLOCK = 512;

function field(h: Uint8Array, at: number, len: number, text: string): void {
  const b = new TextEncoder().encode(text);
  if (b.length > len) throw new Error(`tar: ${JSON.stringify(text)} does not fit in ${len} bytes`);
  h.set(b, at);
}

/** Octal, zero-padded, NUL-terminated, as ustar numbers are written. */
const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, "0") + "\0";

function header(f: TarFile, size: number): Uint8Array {
  if (f.path.startsWith("/") || f.path.split("/").includes("..")) throw new Error(`tar: ${JSON.stringify(f.path)} must be relative, without ..`);
  const h = new Uint8Array(BLOCK);
  field(h, 0, 100, f.path);
  field(h, 100, 8, octal(f.mode & 0o7777, 8));
  field(h, 108, 8, octal(f.uid ?? 0, 8));
  field(h, 116, 8, octal(f.gid ?? 0, 8));
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(0, 12));
  field(h, 148, 8, "        "); // checksum counts as spaces while it is computed
  field(h, 156, 1, "0"); // a regular file
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

export function tarFiles(files: TarFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of files) {
    const data = typeof f.content === "string" ? new TextEncoder().encode(f.content) : f.content;
    parts.push(header(f, data.length), data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(2 * BLOCK)); // end of archive
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}
