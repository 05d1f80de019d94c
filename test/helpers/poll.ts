// Bounded polling for tests: every wait has a deadline and a readable failure.

export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; stop?: () => boolean },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (opts.stop?.()) throw new Error(`gave up waiting for ${what}: the thing that should produce it ended`);
    if (Date.now() >= deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(opts.intervalMs ?? 250);
  }
}
