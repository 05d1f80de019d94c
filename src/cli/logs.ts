// `bot-bottle logs ID`: the agent's transcript (non-interactive runs);
// --egress: the proxy's decisions; --git: the git gate's pushes; --bundle: the
// bundle container's own output. `-f` follows until the bottle stops (or
// Ctrl-C), `--tail N` starts from the last N, `--since T` from a time.
// Everything here came from the bottle: printed through inert(), raw with --json.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { consola } from "consola";
import { openDb } from "../state/db.ts";
import { getBottleRow } from "../state/bottles.ts";
import { findOneBottle } from "./cli-support.ts";
import { BUNDLE_FILES, bottleFiles } from "../state/bottle-files.ts";
import { formatAuditRecord, parseAuditText, type AuditRecord } from "../bundle/proxy/audit.ts";
import { formatGitLogEntry, parseGitLogText, type GitLogEntry } from "../bundle/git-gate/log.ts";
import { Docker } from "../backends/shared/docker.ts";
import { BottleError } from "../util/errors.ts";
import { followFile, readFrom } from "../util/follow.ts";
import { inert } from "../util/inert.ts";
import { parseSince, parseTail } from "../util/since.ts";
import { jsonArg, printJson } from "./common.ts";

export default defineCommand({
  meta: { name: "logs", description: "Show a bottle's logs: agent transcript, --egress decisions, --git pushes, --bundle output; -f follows" },
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" },
    egress: { type: "boolean", description: "Proxy audit log: every allowed, denied and blocked request" },
    git: { type: "boolean", description: "Git gate log: pushes accepted, refused, failed" },
    bundle: { type: "boolean", description: "The bundle container's output" },
    follow: { type: "boolean", alias: "f", description: "Keep printing as the log grows, until the bottle stops (Ctrl-C ends it)" },
    tail: { type: "string", description: "Start with the last N lines (records for --egress / --git)", valueHint: "N" },
    since: { type: "string", description: "Only entries since a time: 10m, 2h, 1d or 2026-01-01T12:00:00Z (not for the transcript)", valueHint: "T" },
    ...jsonArg,
  },
  async run({ args }) {
    const sources = [args.egress && "--egress", args.git && "--git", args.bundle && "--bundle"].filter(Boolean);
    if (sources.length > 1) throw new BottleError("USAGE", `choose one of ${sources.join(", ")}`, { hint: "one log at a time" });
    const tail = args.tail === undefined ? undefined : parseTail(args.tail);
    const since = args.since === undefined ? undefined : parseSince(args.since);
    const db = openDb();
    let identity: string;
    let bundleContainer: string;
    try {
      const row = findOneBottle(db, args.id);
      identity = row.identity;
      bundleContainer = row.plan.containers.bundle;
    } finally {
      db.close();
    }
    const stopped = bottleStopped(identity);
    const files = bottleFiles(identity);

    // Both read from the audit chain; a bottle made before it has its old logs.
    const chainOr = (legacy: string) => (existsSync(files.audit) ? files.audit : join(files.bundle, legacy));
    if (args.bundle) {
      const code = await new Docker().logs(bundleContainer, { follow: !!args.follow, tail, since: since?.toISOString() }, (l) => {
        process.stdout.write(inert(l) + "\n");
      });
      process.exitCode = code;
      return;
    }
    if (args.egress || args.git) {
      const file = args.egress ? chainOr(BUNDLE_FILES.legacyAudit) : chainOr(BUNDLE_FILES.legacyGitAudit);
      const timeOf = (e: AuditRecord | GitLogEntry) => ("time" in e ? e.time : e.at);
      const parse = (text: string): (AuditRecord | GitLogEntry)[] =>
        (args.egress ? parseAuditText(text) : parseGitLogText(text)).filter((e) => !since || new Date(timeOf(e)) >= since);
      const show = (e: AuditRecord | GitLogEntry): string[] => ("time" in e ? [formatAuditRecord(e)] : formatGitLogEntry(e)).map((l) => inert(l));
      const first = readFrom(file, 0);
      const complete = first.text.slice(0, first.text.lastIndexOf("\n") + 1);
      let backlog = parse(complete);
      if (tail !== undefined) backlog = tail === 0 ? [] : backlog.slice(-tail);
      if (!args.follow) {
        if (args.json) return printJson(backlog);
        if (!backlog.length) return consola.info(args.egress ? "no egress recorded" : "no pushes recorded");
        for (const e of backlog) for (const l of show(e)) process.stdout.write(l + "\n");
        return;
      }
      // Following: JSON Lines with --json (a stream cannot be one document).
      const emit = (e: AuditRecord | GitLogEntry) => {
        if (args.json) process.stdout.write(JSON.stringify(e) + "\n");
        else for (const l of show(e)) process.stdout.write(l + "\n");
      };
      backlog.forEach(emit);
      await followFile(file, { from: Buffer.byteLength(complete), onLines: (t) => parse(t).forEach(emit), shouldStop: stopped });
      return;
    }

    if (since) throw new BottleError("USAGE", "the transcript's lines carry no time, so --since does not apply", { hint: "use --tail N, or --since with --egress, --git or --bundle" });
    const file = files.transcript;
    const first = readFrom(file, 0);
    if (!first.size && !args.follow) return consola.info("no transcript: only non-interactive runs (`run`) keep one");
    const complete = args.follow ? first.text.slice(0, first.text.lastIndexOf("\n") + 1) : first.text;
    const lines = complete.split("\n");
    if (complete.endsWith("\n")) lines.pop();
    const shown = tail === undefined ? lines : tail === 0 ? [] : lines.slice(-tail);
    const out = (text: string) => process.stdout.write(transcriptForTerminal(Buffer.from(text)));
    if (shown.length) out(shown.join("\n") + (complete.endsWith("\n") || args.follow ? "\n" : ""));
    if (args.follow) await followFile(file, { from: Buffer.byteLength(complete), onLines: out, shouldStop: stopped });
  },
});

/** Following ends when the bottle is no longer being made or running (its row says so). */
function bottleStopped(identity: string): () => boolean {
  return () => {
    const db = openDb();
    try {
      const row = getBottleRow(db, identity);
      return !row || (row.status !== "running" && row.status !== "creating");
    } finally {
      db.close();
    }
  };
}

/** The agent's transcript is agent text: controls made visible, lines and tabs kept. */
export function transcriptForTerminal(raw: Buffer): string {
  return inert(raw.toString("utf8"), { multiline: true });
}
