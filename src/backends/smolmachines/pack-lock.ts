// The pack lock is the shared file lock (util/work-lock.ts); packing names itself when it times out.
import { acquireLock as acquire, type HeldLock, type LockOptions } from "../../util/work-lock.ts";
export { isStale, parseOwner, type HeldLock, type LockOptions, type LockOwner } from "../../util/work-lock.ts";

export function acquireLock(path: string, opts: LockOptions = {}): Promise<HeldLock> {
  return acquire(path, { busy: { code: "SMOLVM", doing: "packing this image" }, ...opts });
}
