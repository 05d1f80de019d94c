// `bot-bottle init --from NAME`: a project manifest that starts from one
// bottle of the built-in default manifest (its provider, route and agent), for
// the operator to edit. Pure.
import { parse, stringify } from "smol-toml";
import { BottleError } from "../util/errors.ts";
import { DEFAULT_AGENTS, DEFAULT_MANIFEST_TOML } from "./default.ts";

export interface StarterFiles {
  manifest: string;
  /** Agent name → markdown, written to agents/<name>.md. */
  agents: Record<string, string>;
}

export function defaultBottleNames(): string[] {
  return Object.keys((parse(DEFAULT_MANIFEST_TOML) as { bottles: Record<string, unknown> }).bottles);
}

export function starterFromDefault(bottle: string): StarterFiles {
  const bottles = (parse(DEFAULT_MANIFEST_TOML) as { bottles: Record<string, { agent: string }> }).bottles;
  const spec = bottles[bottle];
  if (!spec) {
    throw new BottleError("USAGE", `the built-in default manifest has no bottle "${bottle}"`, {
      hint: `use one of: ${Object.keys(bottles).join(", ")}`,
    });
  }
  const head = `# bot-bottle manifest, started from the built-in "${bottle}" bottle — see README.md "Manifest reference".\n`;
  const body = stringify({ version: 1, bottles: { [bottle]: spec } });
  return { manifest: head + body + "\n", agents: { [spec.agent]: DEFAULT_AGENTS[spec.agent]! } };
}
