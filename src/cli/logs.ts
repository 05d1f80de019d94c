// `bot-bottle logs ID`: the agent's transcript (non-interactive runs);
// --egress: the proxy's decisions; --git: the git gate's pushes; --bundle: the
// bundle container's own output.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { consola } from "consola";
import { openDb } from "../state/db.ts";
import { findOneBottle } from "./cli-support.ts";
import { bottleFiles } from "../state/bottle-files.ts";
import { formatAuditRecord, readAudit } from "../bundle/proxy/audit.ts";
import { formatGitLogEntry, readGitLog } from "../bundle/git-gate/log.ts";
import { Docker } from "../backends/shared/docker.ts";
import { jsonArg, printJson } from "./common.ts";
import { inert } from "../util/inert.ts";

export default defineCommand({
  meta: { name: "logs", description: "Show a bottle's logs: agent transcript, --egress decisions, --git pushes, --bundle output" },
  args: {
    id: { type: "positional", required: true, description: "Bottle identity (or a unique prefix)" },
    egress: { type: "boolean", description: "Proxy audit log: every allowed, denied and blocked request" },
    git: { type: "boolean", description: "Git gate log: pushes accepted, refused, failed" },
    bundle: { type: "boolean", description: "The bundle container's output" },
    ...jsonArg,
  },
  async run({ args }) {
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
    const files = bottleFiles(identity);
    if (args.egress) {
      const recs = readAudit(files.audit);
      if (args.json) return printJson(recs);
      if (!recs.length) return consola.info("no egress recorded");
      for (const r of recs) process.stdout.write(formatAuditRecord(r) + "\n");
      return;
    }
    if (args.git) {
      const entries = readGitLog(files.gitLog);
      if (args.json) return printJson(entries);
      if (!entries.length) return consola.info("no pushes recorded");
      for (const e of entries) for (const l of formatGitLogEntry(e)) process.stdout.write(l + "\n");
      return;
    }
    if (args.bundle) {
      process.exitCode = await new Docker().logs(bundleContainer);
      return;
    }
    const file = files.transcript;
    if (!existsSync(file)) return consola.info("no transcript: only non-interactive runs (`run`) keep one");
    process.stdout.write(transcriptForTerminal(readFileSync(file)));
  },
});

/** The agent's transcript is agent text: controls made visible, lines and tabs kept. */
export function transcriptForTerminal(raw: Buffer): string {
  return inert(raw.toString("utf8"), { multiline: true });
}
