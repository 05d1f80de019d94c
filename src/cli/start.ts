// `launch` and `run` share everything but the attach mode: plan, preflight,
// driver, session.
import { consola } from "consola";
import { isInteractive, planFromArgs } from "./common.ts";
import { driverFor } from "../backends/registry.ts";
import { formatPlan } from "../plan/format.ts";
import { agentCommand } from "../providers/index.ts";
import { redactPlan } from "../plan/redact.ts";
import { openDb } from "../state/db.ts";
import { BottleError } from "../util/errors.ts";
import { confirm } from "./cli-support.ts";
import { preflightAction } from "../lifecycle/preflight.ts";
import { launchBottle } from "../lifecycle/session.ts";
import { timed } from "../util/phases.ts";

export interface StartArgs {
  bottle: string;
  manifest?: string;
  name?: string;
  backend?: string;
  env?: unknown;
  yes?: boolean;
  "dry-run"?: boolean;
  keep?: boolean;
  prompt?: string;
  /** `run --unattended`: nobody answers ask-to-allow questions. */
  unattended?: string;
}

/** Returns the exit code for the CLI. */
export async function startBottle(mode: "launch" | "run", args: StartArgs, command?: string[]): Promise<number> {
  const interactive = isInteractive();
  const action = preflightAction({ mode, yes: !!args.yes, dryRun: !!args["dry-run"], interactive });
  if (action === "needs-terminal") {
    throw new BottleError("USAGE", "`launch` opens an interactive session and needs a terminal", {
      hint: `use \`bot-bottle run ${args.bottle} -p "TASK"\` (or \`-- COMMAND\`) from scripts`,
    });
  }
  const plan = await timed("plan", () => planFromArgs(args, args.bottle));
  if (args.unattended !== undefined) {
    if (args.unattended !== "deny" && args.unattended !== "allow-listed") {
      throw new BottleError("USAGE", `--unattended ${JSON.stringify(args.unattended)}: use deny or allow-listed`, { hint: "deny: questions are denied at once; allow-listed: only the allowlist, nobody is asked" });
    }
    if (plan.policy) plan.policy.unattended = args.unattended;
  } else if (mode === "run" && !interactive && plan.policy?.onDeny === "ask") {
    consola.info(
      `on_deny = "ask": requests to hosts outside the allowlist wait up to ${plan.policy.askTimeoutSeconds}s for \`bot-bottle supervise\`, then are denied; ` +
        "pass --unattended deny|allow-listed when nobody is watching",
    );
  }
  const attach = { interactive: mode === "launch", prompt: args.prompt, command };
  // The command that will really run (`-- CMD` overrides the manifest's), and a missing task fails before any build.
  const shown = formatPlan(redactPlan(plan), agentCommand(plan, attach));
  if (action === "dry-run") {
    process.stdout.write(shown + "\n");
    return 0;
  }
  // The plan goes to stderr so a `run`'s stdout is the agent's alone.
  process.stderr.write(shown + "\n");
  if (action === "ask" && !(await confirm("Start this bottle?"))) {
    consola.info("not started");
    return 1;
  }
  const driver = await driverFor(plan.backend);
  const db = openDb();
  try {
    return await launchBottle({
      plan,
      driver,
      db,
      keep: !!args.keep,
      attach,
    });
  } finally {
    db.close();
  }
}

export const startFlags = {
  yes: { type: "boolean", alias: "y", description: "Skip the y/N confirmation" },
  "dry-run": { type: "boolean", description: "Print the plan and exit" },
  keep: { type: "boolean", description: "Keep the bottle (stopped) afterwards, for `resume`" },
} as const;
