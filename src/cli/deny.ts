// `bot-bottle deny ID HOST… [--push REMOTE=PATTERN]`: refuse hosts to a running
// bottle now (even ones its manifest allows; never asked about again), or
// take a push ref pattern away, without a restart.
import { policyCommand } from "./policy-change.ts";

export default policyCommand("deny", {
  description: "Deny hosts (or remove --push ref patterns) for a running bottle, live",
  push: "A git push ref pattern to remove (repeatable): REMOTE=PATTERN",
});
