// Pure: bottle identity slugs, `<agent>-<random6>` unless the operator names one.
import { BottleError } from "../util/errors.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
export const IDENTITY_RE = /^[a-z0-9][a-z0-9-]{0,46}[a-z0-9]$/;

/** `random` returns a float in [0,1); injected so tests are deterministic. */
export function makeIdentity(agent: string, random: () => number = Math.random): string {
  let suffix = "";
  for (let i = 0; i < 6; i++) suffix += ALPHABET[Math.floor(random() * ALPHABET.length) % ALPHABET.length];
  // Trim hyphens after the cut too: a 40-char slice may end inside a "-" run.
  const base =
    agent
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+/, "")
      .slice(0, 40)
      .replace(/-+$/, "") || "bottle";
  return `${base}-${suffix}`;
}

export function checkIdentity(id: string): string {
  if (!IDENTITY_RE.test(id)) {
    throw new BottleError("USAGE", `invalid bottle name "${id}"`, {
      hint: "use 2-48 lowercase letters, digits and '-', starting and ending with a letter or digit",
    });
  }
  return id;
}
