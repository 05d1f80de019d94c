// The bundle's side of the live policy: poll the policy file (inotify does
// not cross a VM share or every bind mount; a stat every POLL_MS is cheap)
// and, when it changed, read the whole new version and hand the effective
// policy to the daemons in one call. A file that does not parse is refused
// and the last good policy stays in force (recorded, never half applied).
import { statSync } from "node:fs";
import { isBottleError } from "../../util/errors.ts";
import { effectivePolicy, readLivePolicy, type EffectivePolicy, type LivePolicy } from "./live-policy.ts";

export const POLICY_POLL_MS = 250;

export interface PolicyWatcherOptions {
  file: string;
  base: { allow: readonly string[]; push: Record<string, readonly string[]> };
  apply: (eff: EffectivePolicy, live: LivePolicy) => void;
  onError?: (message: string) => void;
  pollMs?: number;
}

export class PolicyWatcher {
  private seen = "";
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly o: PolicyWatcherOptions) {}

  /** Read the file now if it changed since the last look; true when a new version was applied. */
  check(): boolean {
    let stamp: string;
    try {
      const st = statSync(this.o.file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      stamp = "absent";
    }
    if (stamp === this.seen) return false;
    this.seen = stamp;
    if (stamp === "absent") return false;
    try {
      const live = readLivePolicy(this.o.file);
      this.o.apply(effectivePolicy(this.o.base, live), live);
      return true;
    } catch (e) {
      this.o.onError?.(isBottleError(e) ? e.oneLine() : String(e));
      return false;
    }
  }

  start(): this {
    this.check();
    this.timer = setInterval(() => this.check(), this.o.pollMs ?? POLICY_POLL_MS);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
