// What a harvest brings home, in the shape `harvest --json` prints and the
// state database keeps (one record per bottle).

/** What the bottle started from, recorded when its cwd was copied in. */
export type LaunchBase =
  | { kind: "git"; repo: string; head: string | null; tree: string | null; tips: string[] }
  | { kind: "files"; dir: string; manifest: string }
  | { kind: "none" };

export type RefStatus = "created" | "moved" | "diverged" | "unchanged";

export interface HarvestedRef {
  /** Full ref in the host repo, e.g. refs/heads/bot-bottle/<id>/main. */
  ref: string;
  /** Short name for people and `git` commands: bot-bottle/<id>/main. */
  name: string;
  /** The bottle's branch (or "wip" for uncommitted work). */
  branch: string;
  sha: string;
  /** The ref's value before this harvest (null when created). */
  old: string | null;
  status: RefStatus;
  /** Commits reachable from sha and not from the launch HEAD or the old value. */
  commits: number;
}

export interface HarvestResult {
  identity: string;
  kind: "git" | "files" | "none";
  /** Host repo (git) or folder (files) the work belongs to. */
  target: string;
  refs: HarvestedRef[];
  /** The uncommitted work's ref, if any. */
  wip: HarvestedRef | null;
  /** The ref `diff`/`apply` use by default: wip, else the bottle's checked-out branch. */
  primary: string | null;
  /** Launch commit `diff` compares against. */
  base: string | null;
  /** Files changed between the launch copy and the primary tip (git), or in the export (files). */
  files: number;
  /** Non-git exports: the tarball and manifest in the bottle's folder. */
  export?: { tarball: string; manifest: string };
  /** Files exports: a hash of the change list (an applied export stays applied when re-harvested unchanged). */
  fingerprint?: string;
  at: string;
}

export type HarvestStatus = "none" | "ok" | "failed";

export interface HarvestRecord {
  identity: string;
  base: LaunchBase;
  status: HarvestStatus;
  result: HarvestResult | null;
  error: string | null;
  /** Every tip ever brought home: the next export leaves out what the host already has. */
  tips: string[];
  /** A files export has been applied (nothing left to lose). */
  applied: boolean;
  at: string | null;
}
