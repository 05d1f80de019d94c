// Pure: the one line a harvest prints on stderr, and the JSON scripts read.
import { inert } from "../util/inert.ts";
import type { HarvestResult } from "./types.ts";

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

export function summaryLine(r: HarvestResult): string {
  if (r.kind === "none") return `${r.identity}: nothing to harvest (no copy of a working directory)`;
  if (r.kind === "files") {
    if (!r.files) return `${r.identity}: no file changed`;
    return `${r.identity}: ${plural(r.files, "changed file")} exported — \`bot-bottle diff ${r.identity}\`, \`bot-bottle apply ${r.identity}\``;
  }
  const moved = r.refs.filter((x) => x.status !== "unchanged");
  if (!moved.length && !r.wip) return `${r.identity}: nothing new to harvest`;
  const parts = r.refs.map((x) => {
    const what = x.status === "unchanged" ? "unchanged" : `${x.status === "moved" ? "moved" : x.status === "diverged" ? "new (diverged)" : "new"}, +${plural(x.commits, "commit")}`;
    return `${inert(x.name)} (${what})`;
  });
  if (r.wip) parts.push(`${inert(r.wip.name)} (uncommitted work)`);
  return `${r.identity}: harvested into ${inert(r.target)}: ${parts.join(", ")}; ${plural(r.files, "file")} changed`;
}

/** `{harvest: {refs, wip, files, …}}`: raw names (JSON output is not escaped). */
export function harvestJson(r: HarvestResult): { harvest: Record<string, unknown> } {
  return {
    harvest: {
      identity: r.identity,
      kind: r.kind,
      target: r.target,
      refs: r.refs.map((x) => ({ ref: x.name, branch: x.branch, sha: x.sha, old: x.old, status: x.status, commits: x.commits })),
      wip: r.wip ? { ref: r.wip.name, sha: r.wip.sha, status: r.wip.status } : null,
      primary: r.primary,
      base: r.base,
      files: r.files,
      export: r.export ?? null,
      at: r.at,
    },
  };
}
