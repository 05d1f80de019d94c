// `bot-bottle supervise [id]`: the operator's inbox of agent requests.
//   supervise [id]                 list pending requests (answer them in a terminal)
//   supervise --json [--all]       the same as JSON
//   supervise approve REQ [--note] / supervise deny REQ [--note]
import { defineCommand } from "citty";
import { consola } from "consola";
import { isInteractive, jsonArg, printJson } from "./common.ts";
import { openDb } from "../state/db.ts";
import { answerItem, findPending, itemJson, itemStatus, loadInbox, type InboxItem } from "../supervise/inbox.ts";
import { answeredMessage, approvalBox, inboxLines } from "../supervise/text.ts";
import { BottleError } from "../util/errors.ts";
import { closest } from "../util/suggest.ts";
import { listBottleRows } from "../state/bottles.ts";

export default defineCommand({
  meta: {
    name: "supervise",
    description: "Answer the agents' approval requests (supervise [BOTTLE] | supervise approve|deny REQ [--note TEXT])",
  },
  args: {
    target: { type: "positional", required: false, description: "A bottle identity (prefix) to list, or approve / deny", valueHint: "BOTTLE|approve|deny" },
    request: { type: "positional", required: false, description: "Request id (prefix) for approve / deny", valueHint: "REQ" },
    note: { type: "string", description: "Note for the agent, with approve / deny", valueHint: "TEXT" },
    all: { type: "boolean", description: "Also list answered requests and notifications" },
    ...jsonArg,
  },
  async run({ args }) {
    const db = openDb();
    try {
      if (args.target === "approve" || args.target === "deny") {
        if (!args.request) throw new BottleError("USAGE", `which request? bot-bottle supervise ${args.target} REQ`, { hint: "list them with `bot-bottle supervise`" });
        const item = findPending(loadInbox(db), args.request);
        const answer = answerItem(db, item, args.target, args.note ?? "");
        if (args.json) return printJson(itemJson({ ...item, answer }));
        return consola.success(answeredMessage(answer.decision === "approve" ? "approve" : "deny", item));
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

const SUB_COMMANDS = ["approve", "deny"];

/** "did you mean `FULL`?" where FULL is the rendering of the closest of `words`. */
function suggestion(word: string, full: string[], words: string[]): string | undefined {
  const near = closest(word, words);
  return near === undefined ? undefined : `did you mean \`${full[words.indexOf(near)]}\`?`;
}

function printTable(items: InboxItem[]): void {
  if (!items.length) return consola.info("no pending requests");
  for (const line of inboxLines(items)) process.stdout.write(line + "\n");
}

async function answerInteractively(db: ReturnType<typeof openDb>, items: InboxItem[]): Promise<void> {
  for (const it of items) {
    consola.box(approvalBox(it));
    const choice = await consola.prompt("Your answer", {
      type: "select",
      options: [
        { label: "approve", value: "approve" },
        { label: "deny", value: "deny" },
        { label: "skip for now", value: "skip" },
      ],
      cancel: "null",
    });
    if (choice === null) return;
    if (choice !== "approve" && choice !== "deny") continue;
    const note = await consola.prompt("Note for the agent (optional)", { type: "text", default: "", cancel: "default" });
    try {
      answerItem(db, it, choice, typeof note === "string" ? note : "");
      consola.success(answeredMessage(choice, it, false));
    } catch (e) {
      if (e instanceof BottleError) consola.warn(e.oneLine());
      else throw e;
    }
  }
}
