// Lifecycle events the host sees (up, agent exit, signals, failures, stop,
// resume) go into the bottle's audit chain next to what the bundle records.
// Best effort and never fatal: the audit must not keep a bottle from stopping.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { appendOnce } from "../bundle/audit-chain/writer.ts";
import { BUNDLE_FILES, bottleFiles } from "../state/bottle-files.ts";

export async function recordLifecycle(identity: string, event: string, data: Record<string, unknown> = {}, env: Record<string, string | undefined> = process.env): Promise<void> {
  const dir = bottleFiles(identity, env).bundle;
  if (!existsSync(join(dir, BUNDLE_FILES.auditKey))) return;
  await appendOnce(join(dir, BUNDLE_FILES.audit), "lifecycle", "host", { event, ...data }).catch(() => undefined);
}
