// `bot-bottle audit ID [--json] [--verify] [--since T] [--kind K]`: the
// bottle's audit chain (egress, DLP, pushes, approvals, ask-to-allow, policy,
// lifecycle), and with --verify a check of every link and signature.
import { defineCommand } from "citty";
import { consola } from "consola";
import { openDb } from "../state/db.ts";
import { findOneBottle } from "./cli-support.ts";
import { bottleFiles } from "../state/bottle-files.ts";
import { chainExists, readChain, verifyBottleChain } from "../bundle/audit-chain/read.ts";
import { CHAIN_KINDS, type ChainKind, type ChainRecord } from "../bundle/audit-chain/record.ts";
import { BottleError } from "../util/errors.ts";
import { inert } from "../util/inert.ts";
import { parseSince } from "../util/since.ts";
import { jsonArg, printJson } from "./common.ts";

/** One line for people; every string from the record is agent-reachable, so inert. */
export function formatChainRecord(r: ChainRecord): string {
  const d = r.data as Record<string, unknown>;
  const s = (k: string) => (d[k] === undefined || d[k] === null ? "" : inert(String(d[k])));
  const t = r.time.replace("T", " ").slice(0, 19);
  let what: string;
  switch (r.kind) {
    case "egress":
    case "dlp":
      what = `${s("decision")} ${s("method")} ${s("host")}${d.port === 443 || d.port === 80 ? "" : `:${s("port")}`}${s("path")}${d.status ? ` ${s("status")}` : ""}${d.reason ? ` — ${s("reason")}` : ""}`;
      break;
    case "push":
      what = `${s("result")} ${s("repo")} ${Array.isArray(d.updates) ? (d.updates as { ref: string }[]).map((u) => inert(String(u.ref))).join(", ") : ""}${d.error ? ` — ${s("error")}` : ""}`;
      break;
    case "approval":
    case "ask":
      what = `${s("event")} ${s("id")} ${r.kind === "ask" ? `${s("method")} ${s("host")}${s("path")}` : s("action")}${d.decision ? ` → ${s("decision")}${d.by ? ` (${s("by")})` : ""}` : ""}${d.note ? ` note: ${s("note")}` : ""}`;
      break;
    case "policy":
      what = `${s("event")} rev ${s("rev")}${d.by ? ` by ${s("by")}` : ""}${d.allow && d.event === "changed" ? ` allow ${inert(String(d.allow))}` : ""}${d.deny && d.event === "changed" ? ` deny ${inert(String(d.deny))}` : ""}${d.message ? ` — ${s("message")}` : ""}`;
      break;
    case "checkpoint":
      what = `signed up to #${s("upTo")} (key ${s("keyId")})`;
      break;
    default:
      what = s("event") || inert(JSON.stringify(d));
  }
  return `${String(r.seq).padStart(5)} ${t} ${r.kind.padEnd(10)} ${r.source.padEnd(9)} ${what}`;
}

export default defineCommand({
  meta: { name: "audit", description: "Show a bottle's audit chain; --verify checks every link and signature" },
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)", valueHint: "ID" },
    verify: { type: "boolean", description: "Check the hash chain and the signed checkpoints; exit 1 and name the line if broken" },
    since: { type: "string", description: "Only records at or after this time (ISO) or this long ago (15m, 2h, 1d)", valueHint: "T" },
    kind: { type: "string", description: `Only these kinds (comma-separated): ${CHAIN_KINDS.join(", ")}`, valueHint: "KIND" },
    ...jsonArg,
  },
  async run({ args }) {
    const db = openDb();
    let identity: string;
    try {
      identity = findOneBottle(db, args.id).identity;
    } finally {
      db.close();
    }
    const dir = bottleFiles(identity).bundle;
    if (!chainExists(dir)) throw new BottleError("AUDIT", `${identity} has no audit chain`, { hint: "bottles made before the audit chain keep `logs --egress` only" });
    const since = args.since ? parseSince(args.since) : undefined;
    const kinds = args.kind ? (args.kind.split(",").map((k) => k.trim()) as ChainKind[]) : undefined;
    const bad = kinds?.filter((k) => !CHAIN_KINDS.includes(k));
    if (bad?.length) throw new BottleError("USAGE", `--kind ${bad.join(",")}: unknown`, { hint: `use ${CHAIN_KINDS.join(", ")}` });
    if (args.verify) {
      const res = await verifyBottleChain(dir);
      if (args.json) printJson({ identity, ...res });
      else if (res.ok) {
        consola.success(`${identity}: chain intact — ${res.records} records, ${res.checkpoints} signed checkpoint(s)${res.unsigned > 0 ? `, ${res.unsigned} record(s) after the last one` : ""}`);
      } else {
        for (const p of res.problems) process.stdout.write(`${p.line ? `line ${p.line}` : "file"}: ${p.message}\n`);
      }
      if (!res.ok) {
        throw new BottleError("AUDIT", `${identity}: the audit chain is broken at ${res.problems[0]!.line ? `line ${res.problems[0]!.line}` : "its head"} (${res.problems.length} problem(s))`, {
          hint: "the file was edited, cut or reordered after it was written",
        });
      }
      return;
    }
    const recs = readChain(dir, { kinds, since });
    if (args.json) return printJson(recs);
    if (!recs.length) return consola.info("no records");
    for (const r of recs) process.stdout.write(formatChainRecord(r) + "\n");
  },
});
