// `bot-bottle allow ID HOST… [--push REMOTE=PATTERN]`: let a running bottle
// reach more hosts (or push to more refs) now, without a restart.
import { policyCommand } from "./policy-change.ts";

export default policyCommand("allow", {
  description: "Allow hosts (or --push ref patterns) for a running bottle, live",
  push: "A git push ref pattern to allow (repeatable): REMOTE=PATTERN",
});
