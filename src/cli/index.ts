// The command list and how a command line runs (src/main.ts is only the
// entry point). Subcommands are imported lazily so `--help` and `--version`
// stay fast in the compiled binary.
import { defineCommand, runCommand, showUsage, type CommandDef } from "citty";
import { consola } from "consola";
import { BottleError } from "../util/errors.ts";
import { VERSION, versionString } from "../version.ts";
import { EXIT } from "../util/exit-codes.ts";
import { checkCommandLine } from "./strict.ts";

const lazy = (load: () => Promise<{ default: CommandDef<any> }>) => () => load().then((m) => m.default);

export const COMMANDS = {
  init: lazy(() => import("./init.ts")),
  validate: lazy(() => import("./validate.ts")),
  plan: lazy(() => import("./plan.ts")),
  launch: lazy(() => import("./launch.ts")),
  run: lazy(() => import("./run.ts")),
  ls: lazy(() => import("./ls.ts")),
  resume: lazy(() => import("./resume.ts")),
  attach: lazy(() => import("./attach.ts")),
  stop: lazy(() => import("./stop.ts")),
  rm: lazy(() => import("./rm.ts")),
  harvest: lazy(() => import("./harvest.ts")),
  diff: lazy(() => import("./diff.ts")),
  apply: lazy(() => import("./apply.ts")),
  logs: lazy(() => import("./logs.ts")),
  exec: lazy(() => import("./exec.ts")),
  gc: lazy(() => import("./gc.ts")),
  doctor: lazy(() => import("./doctor.ts")),
  supervise: lazy(() => import("./supervise.ts")),
  allow: lazy(() => import("./allow.ts")),
  deny: lazy(() => import("./deny.ts")),
  policy: lazy(() => import("./policy.ts")),
  audit: lazy(() => import("./audit.ts")),
  completions: lazy(() => import("./completions.ts")),
  bundle: lazy(() => import("./bundle.ts")),
  __complete: lazy(() => import("./complete.ts")),
};

export const main = defineCommand({
  meta: { name: "bot-bottle", version: VERSION, description: "Run AI coding agents in an isolated bottle" },
  args: {
    debug: { type: "boolean", description: "Show stack traces and debug logs" },
  },
  subCommands: COMMANDS,
  async run({ rawArgs }) {
    // No subcommand: the dashboard in a terminal, help otherwise.
    if (rawArgs.filter((a) => !a.startsWith("-")).length === 0) {
      const { dashboard } = await import("./dashboard.ts");
      await dashboard(main);
    }
  },
});

export async function runCli(argv: string[]): Promise<number> {
  const dashDash = argv.indexOf("--");
  const own = dashDash === -1 ? argv : argv.slice(0, dashDash);
  const debug = own.includes("--debug");
  let passesExitCode = false;
  if (debug) consola.level = 4;
  try {
    if (own.length === 1 && (own[0] === "--version" || own[0] === "-v")) {
      process.stdout.write(versionString() + "\n");
      return 0;
    }
    if (own.includes("--help") || own.includes("-h")) {
      await showHelp(own.filter((a) => a !== "--help" && a !== "-h"));
      return 0;
    }
    // Unknown commands, flags and arguments are refused before anything runs.
    const shape = await checkCommandLine(main, argv);
    passesExitCode = !!shape.meta.passesExitCode;
    // The agent owns stdout there: progress, notes and debug lines go to stderr.
    if (passesExitCode) consola.options.stdout = process.stderr;
    await runCommand(main, { rawArgs: argv });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    const code = reportError(e, debug);
    // run/exec/resume exit with the agent's code: their own failures must not look like one.
    return passesExitCode && code !== 0 ? EXIT.FAILED : code;
  }
}

async function showHelp(words: string[]): Promise<void> {
  let cmd: CommandDef<any> = main;
  let parent: CommandDef<any> | undefined;
  for (const w of words) {
    if (w.startsWith("-")) continue;
    const subs = typeof cmd.subCommands === "function" ? await (cmd.subCommands as () => any)() : await cmd.subCommands;
    const next = subs?.[w];
    if (!next) break;
    parent = cmd;
    cmd = typeof next === "function" ? await next() : await next;
  }
  await showUsage(cmd, parent);
}

export function reportError(e: unknown, debug: boolean): number {
  if (e instanceof BottleError) {
    // Exactly one line (scripts grep it); the stack only with --debug.
    process.stderr.write(`error: ${e.oneLine()}\n`);
    if (debug && e.stack) process.stderr.write(e.stack + "\n");
    return e.exitCode;
  }
  const err = e as Error & { code?: string };
  // citty's own argument errors (unknown command, missing positional) are usage errors.
  if (err?.name === "CLIError" || (typeof err?.code === "string" && err.code.startsWith("E_"))) {
    consola.error(`${err.message} — run \`bot-bottle --help\``);
    return 2;
  }
  consola.error(err?.message ?? String(e));
  if (debug && err?.stack) consola.log(err.stack);
  else consola.info("run again with --debug for details");
  return 1;
}
