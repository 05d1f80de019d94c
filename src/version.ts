// Version and commit. Release builds define BOT_BOTTLE_COMMIT at compile time
// (bun build --define); from source we ask git lazily, only when printed.
import pkg from "../package.json" with { type: "json" };
import { runSync } from "./util/run.ts";

declare const BOT_BOTTLE_COMMIT: string | undefined;

export const VERSION: string = pkg.version;

export function commit(): string {
  try {
    if (typeof BOT_BOTTLE_COMMIT === "string" && BOT_BOTTLE_COMMIT) return BOT_BOTTLE_COMMIT;
  } catch {
    // not defined: running from source
  }
  try {
    const r = runSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: import.meta.dir });
    const out = r.stdout.trim();
    if (r.code === 0 && out) return out;
  } catch {
    // no git
  }
  return "unknown";
}

export function versionString(): string {
  return `bot-bottle ${VERSION} (${commit()})`;
}
