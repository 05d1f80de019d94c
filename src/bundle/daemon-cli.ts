// Shared plumbing of the one-daemon bundle commands (`bundle git-gate`,
// `bundle supervise`, `bundle proxy`): run until signalled. They read their
// section of the config with config-file.ts.
import type { Daemon } from "./config.ts";

/** Keep the daemon up until SIGINT/SIGTERM, then close it cleanly. */
export function runUntilSignal(daemon: Daemon): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      daemon.close().finally(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
