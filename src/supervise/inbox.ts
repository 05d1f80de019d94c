// The operator's side of supervise: gather requests from every recorded
// bottle's supervise folder (bottleDir(identity)/bundle/supervise), mirror
// them into the approvals table, and answer them.
import type { Database } from "bun:sqlite";
import {
  ensureSuperviseDirs,
  listRequests,
  readAnswer,
  writeAnswer,
  type SuperviseAnswer,
  type SuperviseRequest,
} from "../bundle/supervise/protocol.ts";
import { listBottleRows } from "../state/bottles.ts";
import { BottleError } from "../util/errors.ts";
import { bottleFiles } from "../state/bottle-files.ts";

type Env = Record<string, string | undefined>;

/** The host folder the bundle's supervise daemon shares (mounted as SuperviseConfig.dir). */
export function hostSuperviseDir(identity: string, env: Env = process.env): string {
  return bottleFiles(identity, env).supervise;
}

/**
 * Create the folder before the bundle starts: made by the operator, it stays
 * the operator's even when the bundle runs as root.
 */
export function prepareSuperviseDir(identity: string, env: Env = process.env): string {
  const dir = hostSuperviseDir(identity, env);
  ensureSuperviseDirs(dir);
  return dir;
}

export interface InboxItem {
  identity: string;
  dir: string;
  request: SuperviseRequest;
  answer: SuperviseAnswer | null;
}

export type ItemStatus = "pending" | "info" | "expired" | SuperviseAnswer["decision"];

/** A daemon that died while waiting never answers "timeout": past its deadline (plus slack) it is expired. */
const EXPIRY_SLACK_MS = 30_000;

export function itemStatus(item: InboxItem, now: Date = new Date()): ItemStatus {
  if (item.request.kind === "notify") return "info";
  if (item.answer) return item.answer.decision;
  const expires = item.request.expiresAt ? Date.parse(item.request.expiresAt) : NaN;
  return now.getTime() > expires + EXPIRY_SLACK_MS ? "expired" : "pending";
}

export function scanBottle(identity: string, dir: string): InboxItem[] {
  return listRequests(dir).map((request) => ({ identity, dir, request, answer: readAnswer(dir, request.id) }));
}

/** Every request of every recorded bottle (or of those whose identity starts with `only`), oldest first. */
export function loadInbox(db: Database, env: Env = process.env, only?: string): InboxItem[] {
  const rows = listBottleRows(db).filter((r) => !only || r.identity.startsWith(only));
  const items = rows.flatMap((r) => scanBottle(r.identity, hostSuperviseDir(r.identity, env)));
  items.sort((a, b) => a.request.at.localeCompare(b.request.at));
  syncApprovals(db, items);
  return items;
}

/** Mirror into the approvals table (what `ls`, the dashboard and history queries read). */
export function syncApprovals(db: Database, items: InboxItem[], now: Date = new Date()): void {
  const upsert = db.query(
    `INSERT INTO approvals (id, identity, at, kind, action, reason, status, answer_note, answered_at)
     VALUES ($id, $identity, $at, $kind, $action, $reason, $status, $note, $answeredAt)
     ON CONFLICT(id) DO UPDATE SET status = excluded.status, answer_note = excluded.answer_note, answered_at = excluded.answered_at`,
  );
  db.transaction(() => {
    for (const it of items) {
      upsert.run({
        id: it.request.id,
        identity: it.identity,
        at: it.request.at,
        kind: it.request.kind,
        action: it.request.action,
        reason: it.request.reason,
        status: itemStatus(it, now),
        note: it.answer?.note ?? null,
        answeredAt: it.answer?.at ?? null,
      });
    }
  })();
}

/** The one pending approval whose id starts with `idPrefix`. */
export function findPending(items: InboxItem[], idPrefix: string, now: Date = new Date()): InboxItem {
  const matches = items.filter((it) => it.request.id.startsWith(idPrefix) && it.request.kind !== "notify");
  if (matches.length === 0) {
    throw new BottleError("SUPERVISE", `no approval request ${idPrefix}`, { hint: "run `bot-bottle supervise --json` to list them", exitCode: 2 });
  }
  if (matches.length > 1) {
    throw new BottleError("SUPERVISE", `${idPrefix} matches ${matches.length} requests: ${matches.map((m) => m.request.id).join(", ")}`, {
      hint: "give more of the id",
      exitCode: 2,
    });
  }
  const it = matches[0]!;
  const status = itemStatus(it, now);
  if (status !== "pending") {
    throw new BottleError("SUPERVISE", `request ${it.request.id} is already ${status}`, { hint: "it needs no answer now" });
  }
  return it;
}

/** Write the operator's answer (the first answer wins) and record it. */
export function answerItem(
  db: Database,
  item: InboxItem,
  decision: Exclude<SuperviseAnswer["decision"], "timeout" | "cancelled">,
  note = "",
  now: Date = new Date(),
  pattern?: string,
): SuperviseAnswer {
  const answer: SuperviseAnswer = { id: item.request.id, decision, note, at: now.toISOString(), by: "operator", ...(pattern ? { pattern } : {}) };
  if (!writeAnswer(item.dir, answer)) {
    const other = readAnswer(item.dir, item.request.id);
    syncApprovals(db, [{ ...item, answer: other }], now);
    throw new BottleError("SUPERVISE", `request ${item.request.id} was answered already (${other?.decision ?? "unknown"})`, {
      hint: "the bottle may have timed out waiting",
    });
  }
  syncApprovals(db, [{ ...item, answer }], now);
  return answer;
}

/** Plain object for --json. */
export function itemJson(it: InboxItem, now: Date = new Date()) {
  return {
    id: it.request.id,
    identity: it.identity,
    kind: it.request.kind,
    action: it.request.action,
    ...(it.request.egress ? { egress: it.request.egress } : {}),
    reason: it.request.reason,
    at: it.request.at,
    expiresAt: it.request.expiresAt ?? null,
    status: itemStatus(it, now),
    note: it.answer?.note ?? null,
    answeredAt: it.answer?.at ?? null,
    answeredBy: it.answer?.by ?? null,
  };
}
