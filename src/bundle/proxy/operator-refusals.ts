// Pure: the proxy's answers when the operator (not the manifest) decided:
// a live deny, or an answer to ask-to-allow. Written for the agent, which
// reads the body and can tell its user what happened.
import type { Refusal } from "./deny.ts";

export function deniedByOperator(host: string, port: number, why: string): Refusal {
  return {
    status: 403,
    reason: why,
    body: `bot-bottle proxy: blocked ${host}:${port}\nreason: ${why}.\nfix: none from inside the bottle; the operator decides (\`bot-bottle allow\`).\n`,
  };
}

/** The held request was not allowed: denied, timed out, or the question was withdrawn. */
export function askRefused(host: string, port: number, decision: string, note: string, timeoutSeconds: number): Refusal {
  const said = note ? ` The operator's note: ${note}` : "";
  const why =
    decision === "deny" || decision === "deny-always"
      ? `the operator denied access to ${host}${decision === "deny-always" ? " (and will not be asked again)" : ""}`
      : decision === "timeout"
        ? timeoutSeconds > 0
          ? `no answer from the operator within ${timeoutSeconds} seconds`
          : "nobody is watching this run (unattended), so hosts outside the allowlist are denied"
        : "the question to the operator was withdrawn";
  return {
    status: 403,
    reason: `${why}${note ? ` (note: ${note})` : ""}`,
    body: `bot-bottle proxy: blocked ${host}:${port}\nreason: ${why}.${said}\nfix: do not retry in a loop; continue without it or ask the operator.\n`,
  };
}
