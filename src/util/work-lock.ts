// One worker per key across processes (an image build, a bundle-binary
// compile, a smolvm pack): a lock file created with O_EXCL holding the
// owner's pid, host, start time and a nonce. A lock whose pid is dead (same
// host) or that is older than staleMs is taken over.
//
// A lock only saves work (twenty launches build an image once); it is never
// what keeps a cache sound. Results are published by rename (images by tag),
// so even a broken lock can at worst do the work twice, never half.
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, linkSync } from "node:fs";
import { hostname } from "node:os";
import { BottleError, type ErrorCode } from "./errors.ts";
import { pidAlive } from "./process.ts";

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: number;
  nonce: string;
}

export interface LockOptions {
  /** Give up waiting for another packer after this long. */
  waitMs?: number;
  pollMs?: number;
  /** A lock older than this is stale even if its pid lives (hung packer, pid reuse). */
  staleMs?: number;
  now?: () => number;
  isAlive?: (pid: number) => boolean;
  host?: string;
  /** Called once when we start waiting for someone else's lock. */
  onWait?: (owner: LockOwner | null) => void;
  /** The error when waitMs runs out: what the other process is doing. */
  busy?: { code: ErrorCode; doing: string };
}


export function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text);
    if (typeof o.pid === "number" && typeof o.host === "string" && typeof o.startedAt === "number" && typeof o.nonce === "string") return o;
  } catch {}
  return null;
}

/** Pure: should a lock with this owner be taken over? Unreadable locks count as stale only by age (caller passes mtime). */
export function isStale(owner: LockOwner | null, o: { now: number; staleMs: number; host: string; isAlive: (pid: number) => boolean; mtimeMs?: number }): boolean {
  if (!owner) return o.mtimeMs !== undefined && o.now - o.mtimeMs > o.staleMs;
  if (o.now - owner.startedAt > o.staleMs) return true;
  return owner.host === o.host && !o.isAlive(owner.pid);
}

function tryCreate(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new BottleError("STATE", `cannot create lock ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

function readLock(path: string): { text: string; mtimeMs: number } | null {
  try {
    const text = readFileSync(path, "utf8");
    return { text, mtimeMs: Bun.file(path).lastModified };
  } catch {
    return null;
  }
}

/** Move a stale lock aside; if what we moved is not what we judged stale, put it back. */
function takeOver(path: string, judged: string, nonce: string): void {
  const aside = `${path}.stale.${nonce}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else took it over first
  }
  let moved = "";
  try {
    moved = readFileSync(aside, "utf8");
  } catch {}
  if (moved !== judged) {
    try {
      linkSync(aside, path); // restore a fresh lock we must not break
    } catch {}
  }
  try {
    unlinkSync(aside);
  } catch {}
}

export interface HeldLock {
  owner: LockOwner;
  release(): void;
}

export async function acquireLock(path: string, opts: LockOptions = {}): Promise<HeldLock> {
  const now = opts.now ?? Date.now;
  const waitMs = opts.waitMs ?? 45 * 60_000;
  const pollMs = opts.pollMs ?? 250;
  const staleMs = opts.staleMs ?? 60 * 60_000;
  const host = opts.host ?? hostname();
  const isAlive = opts.isAlive ?? pidAlive;
  const owner: LockOwner = { pid: process.pid, host, startedAt: now(), nonce: crypto.randomUUID() };
  const deadline = now() + waitMs;
  let waited = false;
  // Bounded: each pass either returns, takes over a stale lock, or sleeps pollMs until the deadline.
  for (;;) {
    owner.startedAt = now();
    if (tryCreate(path, owner)) {
      return {
        owner,
        release() {
          const cur = readLock(path);
          if (cur && parseOwner(cur.text)?.nonce === owner.nonce) {
            try {
              unlinkSync(path);
            } catch {}
          }
        },
      };
    }
    const cur = readLock(path);
    if (!cur) continue; // released between our open and read
    const holder = parseOwner(cur.text);
    if (isStale(holder, { now: now(), staleMs, host, isAlive, mtimeMs: cur.mtimeMs })) {
      takeOver(path, cur.text, owner.nonce);
      continue;
    }
    if (now() >= deadline) {
      throw new BottleError(opts.busy?.code ?? "STATE", `another bot-bottle (pid ${holder?.pid ?? "?"}) is still ${opts.busy?.doing ?? "holding " + path}`, {
        hint: `wait for it to finish, or remove ${path} if no bot-bottle is running`,
      });
    }
    if (!waited) {
      waited = true;
      opts.onWait?.(holder);
    }
    await Bun.sleep(pollMs);
  }
}

/** Run `fn` holding the lock at `path` (released however `fn` ends). */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const held = await acquireLock(path, opts);
  try {
    return await fn();
  } finally {
    held.release();
  }
}
