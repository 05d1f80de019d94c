// The child processes in flight, so a signal can end the step that is running
// (an image build can take minutes) instead of waiting for it. Only children
// alive at that moment are interrupted: the teardown that follows spawns its own.
type Killable = { kill(signal?: number | NodeJS.Signals): void; readonly exitCode: number | null };

const live = new Set<Killable>();

/** Track a child until it exits. */
export function trackChild<T extends Killable & { exited: Promise<number> }>(proc: T): T {
  live.add(proc);
  void proc.exited.finally(() => live.delete(proc));
  return proc;
}

/** Send `signal` to every child still running; returns how many. */
export function interruptChildren(signal: NodeJS.Signals = "SIGINT"): number {
  let n = 0;
  for (const p of live) {
    if (p.exitCode !== null) continue;
    try {
      p.kill(signal);
      n++;
    } catch {
      // Already gone.
    }
  }
  return n;
}
