// `logs -f`: read what is appended to a file as it grows, until told to stop.
// Polling, not fs.watch: the files live on bind mounts written from inside a
// container, where inotify events are not reliable, and a poll every 250 ms
// costs nothing next to a human reading.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";

export interface FollowOptions {
  /** Byte offset to start from (usually the size when the backlog was printed). */
  from: number;
  /** Called with each complete chunk of new lines (a partial last line waits for its newline). */
  onLines: (text: string) => void;
  /** Checked between polls; the file is drained once more before returning. */
  shouldStop: () => boolean | Promise<boolean>;
  intervalMs?: number;
}

/** Read bytes [from, size) of `file`; "" when it does not exist. */
export function readFrom(file: string, from: number): { text: string; size: number } {
  if (!existsSync(file)) return { text: "", size: 0 };
  const size = statSync(file).size;
  // Truncated or replaced: start over.
  const start = size < from ? 0 : from;
  if (size === start) return { text: "", size };
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  return { text: buf.toString("utf8"), size };
}

/** Follow `file` from `o.from`; resolves when `shouldStop` says so (after a last drain). */
export async function followFile(file: string, o: FollowOptions): Promise<void> {
  let offset = o.from;
  const drain = () => {
    const { text, size } = readFrom(file, offset);
    if (size < offset) offset = 0;
    const end = text.lastIndexOf("\n");
    if (end === -1) return;
    o.onLines(text.slice(0, end + 1));
    offset += Buffer.byteLength(text.slice(0, end + 1));
  };
  for (;;) {
    drain();
    if (await o.shouldStop()) return drain();
    await Bun.sleep(o.intervalMs ?? 250);
  }
}
