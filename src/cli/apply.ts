// `bot-bottle apply ID [--branch B]`: merge the harvested work into the host
// repo's current branch (or write a non-git export's files). Refuses on a
// dirty tree or a conflict, and leaves the repo as it was.
import { defineCommand } from "citty";
import { consola } from "consola";
import { openDb } from "../state/db.ts";
import { markApplied } from "../state/harvests.ts";
import { gitApply } from "../lifecycle/review-git.ts";
import { filesApply } from "../lifecycle/review-files.ts";
import { inert } from "../util/inert.ts";
import { jsonArg, printJson } from "./common.ts";
import { harvestedWork, reviewArgs } from "./diff.ts";

export default defineCommand({
  meta: { name: "apply", description: "Merge a bottle's harvested work into the current branch (or copy a non-git export's files)" },
  args: { ...reviewArgs, ...jsonArg },
  async run({ args }) {
    const db = openDb();
    try {
      const { row, rec, result, scratch } = await harvestedWork(db, args.id, "apply");
      if (result.kind === "files") {
        const changes = await filesApply(result, { scratch });
        markApplied(db, row.identity);
        if (args.json) return printJson({ identity: row.identity, kind: "files", dir: result.target, files: changes.map((c) => ({ path: c.path, status: c.kind })) });
        consola.success(`applied ${changes.length} file change(s) from ${row.identity} to ${inert(result.target)}`);
        return;
      }
      const { ref, head } = await gitApply(rec, { branch: args.branch });
      if (args.json) return printJson({ identity: row.identity, kind: "git", repo: result.target, ref: ref.name, sha: ref.sha, head });
      consola.success(`merged ${inert(ref.name)} into ${inert(result.target)} (HEAD ${head.slice(0, 9)})`);
    } finally {
      db.close();
    }
  },
});
