// Reserved: implemented with its backend (see the open issues).
import { defineCommand } from "citty";
import { BottleError } from "../util/errors.ts";

export default defineCommand({
  meta: { name: "supervise", description: "(not yet available)" },
  run() {
    throw new BottleError("INTERNAL", "`bot-bottle supervise` is not implemented yet", { hint: "see README.md for what this build supports" });
  },
});
