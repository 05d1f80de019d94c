// Skip checks that say why: each returns the reason a group of tests cannot
// run here (undefined when it can), and skipWhen() prints it, so a green run
// never hides that it ran nothing. CI has every program; laptops may not.

/** Why tests needing these programs cannot run, or undefined when all are on PATH. */
export function missingPrograms(programs: string[], install = `apt-get install ${programs.join(" ")}`): string | undefined {
  const missing = programs.filter((p) => !Bun.which(p));
  return missing.length ? `${missing.join(", ")} not installed (${install})` : undefined;
}

/** Print why `what` is skipped; true when it must be. For `describe.skipIf(skipWhen(…))`. */
export function skipWhen(what: string, reason: string | undefined): boolean {
  if (reason) console.log(`skip: ${what} — ${reason}`);
  return reason !== undefined;
}
