// Reading a secret at the terminal without echoing it: `?prompt` answers are
// secret by default, and consola's prompts echo what is typed (scrollback,
// screen sharing). Key handling is a pure function so it is tested without a TTY.
import { BottleError } from "./errors.ts";

export interface KeyState {
  value: string;
  done: boolean;
  cancelled: boolean;
}

export const EMPTY_KEYS: KeyState = { value: "", done: false, cancelled: false };

/** Apply one chunk of raw-mode input. Enter finishes, Ctrl-C (or Ctrl-D on an empty line) cancels. */
export function applyKeys(state: KeyState, chunk: string): KeyState {
  let { value } = state;
  if (state.done || state.cancelled) return state;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk[i]!;
    if (c === "\r" || c === "\n") return { value, done: true, cancelled: false };
    if (c === "\x03" || (c === "\x04" && value === "")) return { value: "", done: false, cancelled: true };
    if (c === "\x7f" || c === "\b") value = [...value].slice(0, -1).join("");
    else if (c === "\x15") value = ""; // Ctrl-U: start again
    else if (c === "\x1b") {
      // Arrow keys and friends (ESC [ … letter): not part of a secret.
      const m = /^\x1b\[[0-9;]*[A-Za-z~]/.exec(chunk.slice(i));
      i += m ? m[0].length - 1 : 0;
    } else if (c >= " ") value += c;
  }
  return { value, done: false, cancelled: false };
}

interface TtyIn {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: "data", fn: (chunk: Buffer | string) => void): unknown;
  off(event: "data", fn: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

interface Out {
  write(s: string): unknown;
}

/** Ask `question` on `output` (stderr: stdout stays the command's), read a line from a TTY without echo. */
export function readSecret(question: string, input: TtyIn = process.stdin, output: Out = process.stderr): Promise<string> {
  if (!input.isTTY || !input.setRawMode) {
    return Promise.reject(new BottleError("USAGE", "cannot read a secret: there is no terminal", { hint: "pass it with --env NAME=VALUE" }));
  }
  output.write(`${question} (input hidden): `);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let state = EMPTY_KEYS;
    const onData = (chunk: Buffer | string) => {
      state = applyKeys(state, chunk.toString());
      if (!state.done && !state.cancelled) return;
      input.off("data", onData);
      input.setRawMode!(false);
      input.pause();
      output.write("\n");
      if (state.cancelled) reject(new BottleError("USAGE", "cancelled", { hint: "pass the value with --env NAME=VALUE" }));
      else resolve(state.value);
    };
    input.on("data", onData);
  });
}
