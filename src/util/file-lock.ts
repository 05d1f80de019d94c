// A lock between processes that share a folder (the host CLI and the bundle
// container see the same bind mount): a file created exclusively (O_EXCL),
// removed on release. A holder that died leaves a stale file; past STALE_MS
// it is broken, since every holder keeps the lock for well under a second
// (the audit chain's writer holds it for at most LEASE_MS while busy).
import { closeSync, openSync, statSync, unlinkSync, writeSync } from "node:fs";

const STALE_MS = 2_000;
const SPIN_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Take `lockFile` (waiting, synchronously, while another live holder has it). */
export function acquireFileLock(lockFile: string, now: () => number = Date.now): void {
  const started = now();
  for (;;) {
    try {
      const fd = openSync(lockFile, "wx", 0o666);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let age = 0;
      try {
        age = now() - statSync(lockFile).mtimeMs;
      } catch {
        continue; // released between our open and stat
      }
      if (age > STALE_MS || now() - started > STALE_MS * 2) {
        try {
          unlinkSync(lockFile);
        } catch {}
        continue;
      }
      sleepSync(SPIN_MS);
    }
  }
}

export function releaseFileLock(lockFile: string): void {
  try {
    unlinkSync(lockFile);
  } catch {}
}

/** Run `fn` holding `lockFile`. Synchronous on purpose: callers append from hot paths. */
export function withFileLock<T>(lockFile: string, fn: () => T, now: () => number = Date.now): T {
  acquireFileLock(lockFile, now);
  try {
    return fn();
  } finally {
    releaseFileLock(lockFile);
  }
}
