// `bot-bottle` with no arguments in a terminal: bottles and their pending
// approvals, refreshed every second, answered with single keys. Plain ANSI on
// the alternate screen; anything but a terminal gets the help text instead.
import { showUsage, type CommandDef } from "citty";
import { createInterface } from "node:readline";
import { isInteractive } from "./common.ts";
import { openDb } from "../state/db.ts";
import { listBottleRows } from "../state/bottles.ts";
import { itemStatus, loadInbox } from "../supervise/inbox.ts";
import { getBottleRow } from "../state/bottles.ts";
import { answerRequest, manifestAllowEdit } from "../lifecycle/live-policy.ts";
import { clampSelection, keyAction, renderDashboard, type DashboardState } from "../supervise/dashboard-view.ts";
import { isBottleError } from "../util/errors.ts";

const REFRESH_MS = 1_000;
const NOTES_SHOWN = 5;

/**
 * `usage` is the root command, passed in by main.ts: importing main.ts from
 * here would deadlock while it is the entry module still awaiting runCli.
 */
export async function dashboard(usage?: CommandDef<any>): Promise<void> {
  if (!isInteractive()) {
    if (usage) return showUsage(usage);
    process.stdout.write("bot-bottle: run `bot-bottle --help` for the commands.\n");
    return;
  }
  const db = openDb();
  const out = process.stdout;
  const stdin = process.stdin;
  const st: DashboardState = { bottles: [], pending: [], notes: [], selected: 0, message: "", now: new Date() };

  const load = () => {
    st.now = new Date();
    st.bottles = listBottleRows(db);
    const items = loadInbox(db);
    st.pending = items.filter((it) => itemStatus(it, st.now) === "pending");
    st.notes = items.filter((it) => it.request.kind === "notify").slice(-NOTES_SHOWN).reverse();
    st.selected = clampSelection(st.selected, st.pending.length);
  };
  const draw = () => {
    const lines = renderDashboard(st, out.columns ?? 80, out.rows ?? 24);
    out.write("\x1b[H\x1b[2J" + lines.join("\x1b[K\n") + "\x1b[K");
  };
  const refresh = () => {
    try {
      load();
    } catch (e) {
      st.message = isBottleError(e) ? e.oneLine() : String((e as Error).message ?? e);
    }
    draw();
  };

  const enterScreen = () => {
    out.write("\x1b[?1049h\x1b[?25l");
    stdin.setRawMode(true);
    stdin.resume();
  };
  const leaveScreen = () => {
    stdin.setRawMode(false);
    out.write("\x1b[?25h\x1b[?1049l");
  };

  await new Promise<void>((resolve) => {
    let busy = false;
    const timer = setInterval(() => !busy && refresh(), REFRESH_MS);
    let done = false;
    const quit = () => {
      if (done) return;
      done = true;
      clearInterval(timer);
      stdin.off("data", onKey);
      for (const sig of ["SIGHUP", "SIGTERM"] as const) process.off(sig, quit);
      // The terminal may be gone (SIGHUP): restoring it must not throw.
      try {
        leaveScreen();
      } catch {}
      stdin.pause();
      resolve();
    };
    const onKey = async (buf: Buffer) => {
      if (busy) return;
      const kind = st.pending[st.selected]?.request.kind === "egress" ? "egress" : "approval";
      const action = keyAction(buf.toString(), kind);
      if (!action) return;
      if (action.type === "quit") return quit();
      if (action.type === "move") st.selected = clampSelection(st.selected + action.delta, st.pending.length);
      if (action.type === "answer") {
        const it = st.pending[st.selected];
        if (!it) st.message = "nothing selected";
        else {
          busy = true;
          try {
            const row = getBottleRow(db, it.identity);
            let edit;
            let go = true;
            if (action.decision === "allow-save" && row && it.request.egress) {
              // The diff first, on the normal screen; written only on "y".
              edit = manifestAllowEdit(row.plan, it.request.egress.entry);
              go = await confirmDiff(edit.changed ? edit.diff : `${edit.file} already allows it\n`, leaveScreen, enterScreen);
            }
            const note = go && action.withNote ? await askNote(leaveScreen, enterScreen) : "";
            if (go) {
              await answerRequest(db, row, it, action.decision, { note, edit });
              st.message = `${action.decision} ${it.request.id} (${it.identity})`;
            } else st.message = "not answered";
          } catch (e) {
            st.message = isBottleError(e) ? e.oneLine() : String(e);
          }
          busy = false;
        }
      }
      refresh();
    };
    stdin.on("data", onKey);
    // A closed terminal ends the dashboard instead of leaving it spinning on a dead tty.
    stdin.once("end", quit);
    stdin.once("error", quit);
    for (const sig of ["SIGHUP", "SIGTERM"] as const) process.on(sig, quit);
    enterScreen();
    refresh();
  });
  db.close();
}

/** Show the manifest diff on the normal screen and ask y/N. */
async function confirmDiff(diff: string, leave: () => void, enter: () => void): Promise<boolean> {
  leave();
  process.stdout.write(diff);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const yes = await new Promise<string>((resolve) => rl.question("Write this to the manifest? [y/N] ", resolve));
  rl.close();
  enter();
  return /^y(es)?$/i.test(yes.trim());
}

/** Leave raw mode for one line of input (the note), then come back. */
async function askNote(leave: () => void, enter: () => void): Promise<string> {
  leave();
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const note = await new Promise<string>((resolve) => rl.question("Note for the agent: ", resolve));
  rl.close();
  enter();
  return note.trim();
}
