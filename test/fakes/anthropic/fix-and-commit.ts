// The fake model for "fix the failing test and commit": it works the way a
// model does through Claude Code's Bash tool, one call per turn — run the
// tests (they fail), fix the code, run them again and commit — then answers.
// The step is the number of tool results so far, so the script is a pure
// function of the request like the others.
import type { AssistantTurn } from "./messages.ts";

export interface FixScript {
  /** Shell command that runs the project's tests. */
  test: string;
  /** Shell command that fixes the code. */
  fix: string;
  /** Commit message. */
  message: string;
}

type Block = { type: string; text?: string };
type Message = { role: string; content: string | Block[] };

const results = (messages: Message[]) =>
  messages.filter((m) => m.role === "user" && Array.isArray(m.content)).flatMap((m) => (m.content as Block[]).filter((b) => b.type === "tool_result")).length;

export function fixAndCommitTurn(body: any, s: FixScript): AssistantTurn {
  const messages: Message[] = Array.isArray(body?.messages) ? body.messages : [];
  const tools = new Set<string>((body?.tools ?? []).map((t: { name?: string }) => t?.name));
  // Side requests (titles, topic checks) come without tools.
  if (!tools.has("Bash")) return { content: [{ type: "text", text: "OK" }], stopReason: "end_turn" };
  const id = `toolu_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
  const bash = (command: string, description: string): AssistantTurn => ({
    content: [{ type: "tool_use", id, name: "Bash", input: { command, description } }],
    stopReason: "tool_use",
  });
  switch (results(messages)) {
    case 0:
      return bash(s.test, "Run the tests");
    case 1:
      return bash(s.fix, "Fix the bug");
    case 2:
      return bash(`${s.test} && git add -A && git commit -q -m '${s.message.replaceAll("'", "")}' && git log --oneline -1`, "Test and commit");
    default:
      return { content: [{ type: "text", text: "Fixed the failing test and committed." }], stopReason: "end_turn" };
  }
}
