// A plan of a bottle of the built-in default manifest (deterministic), for
// tests of providers that bring their own env and routes.
import { buildPlan } from "../../../src/plan/build.ts";
import { loadBuiltin } from "../../../src/manifest/load.ts";
import { DEFAULTS } from "../../../src/config/config.ts";
import type { BottlePlan } from "../../../src/plan/types.ts";

export const HOST_KEYS = {
  ANTHROPIC_API_KEY: "sk-ant-api03-REALREALREALREALREALREALREALREAL-AA",
  OPENAI_API_KEY: "sk-proj-REALREALREALREALREALREALREAL",
  GEMINI_API_KEY: "AIzaSyA1b2C3d4E5f6G7h8I9j0K_L-M2n3O4p5Q",
};

export function buildPlanFor(bottle: string): Promise<BottlePlan> {
  return buildPlan({
    manifest: loadBuiltin(),
    bottle,
    identity: `${bottle}-abc123`,
    cwd: "/p",
    config: DEFAULTS,
    hostEnv: { HOME: "/home/op", ...HOST_KEYS },
    random: () => 0.5,
    randomBytes: (n) => new Uint8Array(n).fill(7),
  });
}
