// One error type for everything the CLI reports to people: a stable code for
// scripts, a message that says what went wrong, and a hint that says what to do.
export type ErrorCode =
  | "USAGE"
  | "MANIFEST_PARSE"
  | "MANIFEST_INVALID"
  | "MANIFEST_NOT_FOUND"
  | "AGENT_NOT_FOUND"
  | "BOTTLE_NOT_FOUND"
  | "ENV_UNSET"
  | "ENV_NEEDS_PROMPT"
  | "CONFIG"
  | "STATE"
  | "DOCKER"
  | "SMOLVM"
  | "CRANE"
  | "BACKEND"
  | "PROXY"
  | "GIT_GATE"
  | "SUPERVISE"
  | "POLICY"
  | "AUDIT"
  | "HARVEST"
  | "INTERNAL";

// Exit codes are part of the CLI contract (README "Exit codes").
const EXIT_CODES: Partial<Record<ErrorCode, number>> = {
  USAGE: 2,
  MANIFEST_PARSE: 2,
  MANIFEST_INVALID: 2,
  MANIFEST_NOT_FOUND: 2,
  AGENT_NOT_FOUND: 2,
  BOTTLE_NOT_FOUND: 2,
  ENV_UNSET: 2,
  ENV_NEEDS_PROMPT: 2,
  CONFIG: 2,
};

export interface BottleErrorOptions {
  hint?: string;
  file?: string;
  line?: number;
  key?: string;
  cause?: unknown;
  exitCode?: number;
}

export class BottleError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly file?: string;
  readonly line?: number;
  readonly key?: string;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, opts: BottleErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "BottleError";
    this.code = code;
    this.hint = opts.hint;
    this.file = opts.file;
    this.line = opts.line;
    this.key = opts.key;
    this.exitCode = opts.exitCode ?? EXIT_CODES[code] ?? 1;
  }

  /** One line for people: `file:line: key: message (hint)`. */
  oneLine(): string {
    const where = [this.file && (this.line ? `${this.file}:${this.line}` : this.file), this.key]
      .filter(Boolean)
      .join(": ");
    const head = where ? `${where}: ${this.message}` : this.message;
    return this.hint ? `${head} — ${this.hint}` : head;
  }

  toJSON() {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      file: this.file,
      line: this.line,
      key: this.key,
      exitCode: this.exitCode,
    };
  }
}

export function isBottleError(e: unknown): e is BottleError {
  return e instanceof BottleError;
}
