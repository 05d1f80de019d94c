// Appends to a bottle's audit chain. Several writers share one stream: the
// bundle's daemons (proxy, git gate, supervise, the policy watcher: one
// process, one shared ChainWriter per file) and the host CLI (lifecycle and
// the operator's policy commands: other processes). Each append takes an
// exclusive lock file next to the stream, reads the tail to learn the last
// seq and hash (cached while the file size is what this writer left), writes
// one line with O_APPEND: the chain stays linear whoever writes. A busy writer
// (the proxy) keeps the lock as a lease for up to LEASE_MS after it took it,
// so a burst of records pays for one lock, and another writer (the host CLI)
// waits at most that long.
// Checkpoints (every CHECKPOINT_EVERY records or CHECKPOINT_MS) sign the head
// with the bottle's key and are mirrored into a head file that `audit
// --verify` uses to notice a truncated tail.
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { acquireFileLock, releaseFileLock } from "../../util/file-lock.ts";
import { BUNDLE_FILES } from "../../state/bottle-files.ts";
import { GENESIS, canonicalJson, recordHash } from "./canonical.ts";
import { loadAuditKey, signText, type AuditKey } from "./key.ts";
import { checkpointText, isChainRecord, type ChainKind, type ChainRecord, type ChainSource, type CheckpointData } from "./record.ts";

export const CHAIN_FILES = { chain: BUNDLE_FILES.audit, key: BUNDLE_FILES.auditKey, head: BUNDLE_FILES.auditHead } as const;
const CHECKPOINT_EVERY = 64;
const CHECKPOINT_MS = 30_000;
const TAIL_BYTES = 256 * 1024;
/** How long a writer keeps the lock after taking it (a burst of appends pays for one lock). */
export const LEASE_MS = 25;

/** Which writer of this process holds each stream's lease. */
const leases = new Map<string, ChainWriter>();

export const chainKeyFile = (chainFile: string) => join(dirname(chainFile), CHAIN_FILES.key);
export const chainHeadFile = (chainFile: string) => join(dirname(chainFile), CHAIN_FILES.head);

interface Tail {
  seq: number;
  hash: string;
  /** File ends without a newline (a writer died mid-line). */
  torn: boolean;
}

/** The last record of the stream (or the genesis state), reading only the file's tail. */
export function readTail(fd: number, size: number): Tail {
  if (size === 0) return { seq: -1, hash: GENESIS, torn: false };
  const len = Math.min(size, TAIL_BYTES);
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  const text = buf.toString("utf8");
  const torn = !text.endsWith("\n");
  const lines = text.split("\n");
  if (torn) lines.pop();
  for (let i = lines.length - 1; i >= 0; i--) {
    if (i === 0 && len < size) break; // maybe cut by the window
    try {
      const r = JSON.parse(lines[i]!) as unknown;
      if (isChainRecord(r)) return { seq: r.seq, hash: recordHash(r), torn };
    } catch {}
  }
  return { seq: -1, hash: GENESIS, torn };
}

export class ChainWriter {
  private cache: { size: number; tail: Tail } | undefined;
  private sinceCheckpoint = 0;
  private key: Promise<AuditKey | undefined> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending: Promise<void> = Promise.resolve();
  /** A checkpoint is queued or running: appends meanwhile do not queue more. */
  private signing = false;
  refs = 0;
  private lease: ReturnType<typeof setTimeout> | undefined;

  /** Run `fn` holding the stream's lock: taken now unless this writer's lease is still running. */
  private locked<T>(fn: () => T): T {
    if (!this.lease) {
      // Another writer of this process holding the lease could not release it while we wait
      // synchronously: it hands it over (we are single-threaded, so it is between appends).
      const holder = leases.get(this.file);
      if (holder && holder !== this) holder.releaseLease();
      acquireFileLock(`${this.file}.lock`);
      leases.set(this.file, this);
      const lease = setTimeout(() => this.releaseLease(), this.opts.leaseMs ?? LEASE_MS);
      lease.unref?.();
      this.lease = lease;
    }
    return fn();
  }

  private releaseLease(): void {
    if (!this.lease) return;
    clearTimeout(this.lease);
    this.lease = undefined;
    if (leases.get(this.file) === this) leases.delete(this.file);
    releaseFileLock(`${this.file}.lock`);
  }

  constructor(
    readonly file: string,
    private readonly opts: { checkpointEvery?: number; checkpointMs?: number; periodic?: boolean; source?: ChainSource; leaseMs?: number } = {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    if (opts.periodic !== false) {
      this.timer = setInterval(() => this.sinceCheckpoint > 0 && void this.checkpoint(), opts.checkpointMs ?? CHECKPOINT_MS);
      this.timer.unref?.();
    }
  }

  /** Append one record; returns it. Never throws: a full disk must not stop the proxy. */
  append(kind: ChainKind, source: ChainSource, data: Record<string, unknown>, time = new Date()): ChainRecord | undefined {
    try {
      const rec = this.locked(() => this.appendLocked(kind, source, data, time));
      if (kind !== "checkpoint" && ++this.sinceCheckpoint >= (this.opts.checkpointEvery ?? CHECKPOINT_EVERY) && !this.signing) void this.checkpoint();
      return rec;
    } catch {
      return undefined;
    }
  }

  /** Kept open (O_APPEND: every write lands at the end whoever else appends). */
  private fd: number | undefined;

  private appendLocked(kind: ChainKind, source: ChainSource, data: Record<string, unknown>, time: Date): ChainRecord {
    this.fd ??= openSync(this.file, "a+", 0o644);
    const fd = this.fd;
    {
      const size = fstatSync(fd).size;
      const tail = this.cache && this.cache.size === size ? this.cache.tail : readTail(fd, size);
      // JSON round trip: what is hashed is exactly what a reader will parse back.
      const rec = JSON.parse(JSON.stringify({ seq: tail.seq + 1, time: time.toISOString(), kind, source, data, prev: tail.hash })) as ChainRecord;
      const line = Buffer.from((tail.torn ? "\n" : "") + JSON.stringify(rec) + "\n", "utf8");
      writeSync(fd, line);
      this.cache = { size: size + line.length, tail: { seq: rec.seq, hash: recordHash(rec), torn: false } };
      return rec;
    }
  }

  /** Sign the current head and append the checkpoint (also written to the head file). */
  checkpoint(): Promise<void> {
    this.signing = true;
    this.pending = this.pending
      .then(() => this.checkpointNow())
      .catch(() => undefined)
      .finally(() => (this.signing = false));
    return this.pending;
  }

  private async checkpointNow(): Promise<void> {
    this.key ??= loadAuditKey(chainKeyFile(this.file), true).catch(() => undefined);
    const key = await this.key;
    if (!key?.privateKey) return;
    const identity = key.bottle;
    // Under the lock: the head read and the checkpoint appended after it are adjacent.
    const head = this.locked(() => {
      this.fd ??= openSync(this.file, "a+", 0o644);
      const size = fstatSync(this.fd).size;
      return this.cache && this.cache.size === size ? this.cache.tail : readTail(this.fd, size);
    });
    if (head.seq < 0) return;
    this.sinceCheckpoint = 0;
    const sig = await signText(key, checkpointText(identity, head.seq, head.hash));
    const data: CheckpointData = { upTo: head.seq, head: head.hash, keyId: key.id, sig, identity };
    this.append("checkpoint", this.opts.source ?? "bundle", data as unknown as Record<string, unknown>);
    const headFile = chainHeadFile(this.file);
    const tmp = `${headFile}.${process.pid}.tmp`;
    writeFileSync(tmp, canonicalJson(data) + "\n", { mode: 0o644 });
    renameSync(tmp, headFile);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.sinceCheckpoint > 0) await this.checkpoint();
    await this.pending;
    this.releaseLease();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

const shared = new Map<string, ChainWriter>();

/** The one writer of `file` in this process (the proxy, git gate and supervise share it). */
export function openChain(file: string): ChainWriter {
  let w = shared.get(file);
  if (!w) {
    w = new ChainWriter(file);
    shared.set(file, w);
  }
  w.refs++;
  return w;
}

export async function releaseChain(w: ChainWriter): Promise<void> {
  if (--w.refs > 0) return;
  shared.delete(w.file);
  await w.close();
}

/** One record from a short-lived process (the host CLI), signed at once. */
export async function appendOnce(file: string, kind: ChainKind, source: ChainSource, data: Record<string, unknown>): Promise<ChainRecord | undefined> {
  const w = new ChainWriter(file, { periodic: false, source });
  const rec = w.append(kind, source, data);
  await w.close();
  return rec;
}
