// `bot-bottle supervise [id]`: the operator's inbox of agent requests.
//   supervise [id]                       list pending requests (answer them in a terminal)
//   supervise --json [--all]             the same as JSON
//   supervise approve|approve-always|deny REQ [--note] [--pattern GLOB]     an approval
//   supervise allow-once|allow|allow-save|deny|deny-always REQ [--note]    a held request to a host (ask-to-allow)
import { defineCommand } from "citty";
import { consola } from "consola";
import { isInteractive, jsonArg, printJson } from "./common.ts";
import { openDb } from "../state/db.ts";
import { getBottleRow } from "../state/bottles.ts";
import { findPending, itemJson, itemStatus, loadInbox, type InboxItem } from "../supervise/inbox.ts";
import { answeredMessage, approvalBox, inboxLines } from "../supervise/text.ts";
import { answerRequest, manifestAllowEdit, type AnswerDecision } from "../lifecycle/live-policy.ts";
import { BottleError } from "../util/errors.ts";
import { closest } from "../util/suggest.ts";
import { listBottleRows } from "../state/bottles.ts";
import { inert } from "../util/inert.ts";

const ANSWERS: readonly AnswerDecision[] = ["approve", "approve-always", "deny", "allow-once", "allow", "allow-save", "deny-always"];

export default defineCommand({
  meta: {
    name: "supervise",
    description:
      "Answer the agents' requests: supervise [BOTTLE] | supervise approve|approve-always|deny REQ | supervise allow-once|allow|allow-save|deny|deny-always REQ",
  },
  args: {
    target: { type: "positional", required: false, description: "A bottle identity (prefix) to list, or an answer", valueHint: "BOTTLE|ANSWER" },
    request: { type: "positional", required: false, description: "Request id (prefix) to answer", valueHint: "REQ" },
    note: { type: "string", description: "Note for the agent, with an answer", valueHint: "TEXT" },
    pattern: { type: "string", description: "With approve-always: the action pattern approved from now on (`*` = any text; default: this action)", valueHint: "GLOB" },
    all: { type: "boolean", description: "Also list answered requests and notifications" },
    ...jsonArg,
  },
  async run({ args }) {
    const db = openDb();
    try {
      if (ANSWERS.includes(args.target as AnswerDecision)) {
        const decision = args.target as AnswerDecision;
        if (!args.request) throw new BottleError("USAGE", `which request? bot-bottle supervise ${decision} REQ`, { hint: "list them with `bot-bottle supervise`" });
        if (args.pattern !== undefined && decision !== "approve-always") throw new BottleError("USAGE", "--pattern goes with approve-always", { hint: "drop --pattern" });
        const item = findPending(loadInbox(db), args.request);
        const row = getBottleRow(db, item.identity);
        // "Allow and save" shows the manifest change before making it.
        const edit = decision === "allow-save" && row && item.request.egress ? manifestAllowEdit(row.plan, item.request.egress.entry) : undefined;
        if (edit && !args.json) process.stdout.write(edit.changed ? edit.diff : `${edit.file} already allows ${item.request.egress!.entry}\n`);
        const answer = await answerRequest(db, row, item, decision, { note: args.note ?? "", pattern: args.pattern, edit });
        if (args.json) return printJson({ ...itemJson({ ...item, answer }), ...(edit ? { manifestDiff: edit.diff, manifest: edit.file } : {}) });
        return consola.success(
          decision === "approve" || decision === "deny" ? answeredMessage(decision, item) : `${decision} ${inert(item.request.id)} (${inert(item.identity)}): ${inert(item.request.action)}`,
        );
      }
      if (args.request !== undefined) {
        // Two words: the first can only be a sub-command.
        throw new BottleError("USAGE", `unknown supervise command ${JSON.stringify(args.target)}`, {
          hint: suggestion(args.target ?? "", SUB_COMMANDS.map((s) => `bot-bottle supervise ${s} ${args.request}`), SUB_COMMANDS) ?? "use `supervise approve REQ` or `supervise deny REQ`",
        });
      }
      if (args.target !== undefined && !listBottleRows(db).some((r) => r.identity.startsWith(args.target!))) {
        const ids = listBottleRows(db).map((r) => r.identity);
        throw new BottleError("BOTTLE_NOT_FOUND", `no bottle ${JSON.stringify(args.target)}`, {
          hint: suggestion(args.target, [...SUB_COMMANDS.map((s) => `bot-bottle supervise ${s} REQ`), ...ids.map((id) => `bot-bottle supervise ${id}`)], [...SUB_COMMANDS, ...ids]) ?? "`bot-bottle ls` lists them",
        });
      }
      const items = loadInbox(db, process.env, args.target);
      const shown = args.all ? items : items.filter((it) => itemStatus(it) === "pending");
      if (args.json) return printJson(shown.map((it) => itemJson(it)));
      if (!args.all && isInteractive() && shown.length > 0) return await answerInteractively(db, shown);
      printTable(shown);
    } finally {
      db.close();
    }
  },
});

const SUB_COMMANDS: string[] = [...ANSWERS];

/** "did you mean `FULL`?" where FULL is the rendering of the closest of `words`. */
function suggestion(word: string, full: string[], words: string[]): string | undefined {
  const near = closest(word, words);
  return near === undefined ? undefined : `did you mean \`${full[words.indexOf(near)]}\`?`;
}

/** "bottle X wants HOST (METHOD PATH, first seen, count)": every part of it is the agent's, so inert. */
export function describeItem(it: InboxItem): string[] {
  const r = it.request;
  if (r.kind === "egress" && r.egress) {
    const e = r.egress;
    return [
      `${inert(it.identity)} wants ${inert(e.entry)} (${inert(e.method)} ${inert(e.path || "/")}, first seen ${e.firstSeen.replace("T", " ").slice(0, 19)}, ${e.count} request(s))`,
      `    not in the allowlist; held until ${r.expiresAt?.replace("T", " ").slice(0, 19) ?? "?"}`,
    ];
  }
  const lines = [`${inert(it.identity)} ${r.kind === "notify" ? "says" : "wants"}: ${inert(r.action)}`];
  if (r.reason) lines.push(`    because: ${inert(r.reason)}`);
  return lines;
}

function printTable(items: InboxItem[]): void {
  if (!items.length) return consola.info("no pending requests");
  for (const it of items) {
    if (it.request.kind !== "egress") {
      for (const line of inboxLines([it])) process.stdout.write(line + "\n");
      continue;
    }
    const j = itemJson(it);
    process.stdout.write(`${inert(j.id)}  ${j.status.padEnd(9)} ${j.kind.padEnd(8)} ${j.at.replace("T", " ").slice(0, 19)}\n`);
    for (const l of describeItem(it)) process.stdout.write(`    ${l}\n`);
    if (j.note) process.stdout.write(`    note: ${inert(j.note)}\n`);
  }
}

async function answerInteractively(db: ReturnType<typeof openDb>, items: InboxItem[]): Promise<void> {
  for (const it of items) {
    consola.box(it.request.kind === "egress" ? `request ${inert(it.request.id)}:\n\n${describeItem(it).join("\n")}` : approvalBox(it));
    const options =
      it.request.kind === "egress"
        ? [
            { label: "allow once (this request)", value: "allow-once" },
            { label: "allow for this bottle (live)", value: "allow" },
            { label: "allow and add it to bot-bottle.toml (diff shown first)", value: "allow-save" },
            { label: "deny", value: "deny" },
            { label: "deny always (never ask again)", value: "deny-always" },
            { label: "skip for now", value: "skip" },
          ]
        : [
            { label: "approve", value: "approve" },
            { label: "approve always (this action from now on)", value: "approve-always" },
            { label: "deny", value: "deny" },
            { label: "skip for now", value: "skip" },
          ];
    const choice = await consola.prompt("Your answer", { type: "select", options, cancel: "null" });
    if (choice === null) return;
    if (typeof choice !== "string" || !ANSWERS.includes(choice as AnswerDecision)) continue;
    const decision = choice as AnswerDecision;
    try {
      const row = getBottleRow(db, it.identity);
      let edit;
      if (decision === "allow-save" && row && it.request.egress) {
        edit = manifestAllowEdit(row.plan, it.request.egress.entry);
        process.stdout.write(edit.changed ? edit.diff : `${edit.file} already allows it\n`);
        const ok = await consola.prompt(`Write this to ${edit.file}?`, { type: "confirm", initial: true, cancel: "default" });
        if (ok !== true) continue;
      }
      const note = await consola.prompt("Note for the agent (optional)", { type: "text", default: "", cancel: "default" });
      await answerRequest(db, row, it, decision, { note: typeof note === "string" ? note : "", edit });
      consola.success(`${decision} ${it.request.id}`);
    } catch (e) {
      if (e instanceof BottleError) consola.warn(e.oneLine());
      else throw e;
    }
  }
}
