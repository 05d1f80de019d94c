// Worker for state-concurrency.test.ts: one process hammering the shared state
// database through src/state, the way concurrent launches, gc and the dashboard do.
// argv: DB_PATH WORKER_ID ROUNDS. Prints one JSON line; exits 1 on any error.
import { openDb } from "../../../src/state/db.ts";
import { addEvent, deleteBottleRow, findBottleRow, recordBottle, setStatus } from "../../../src/state/bottles.ts";
import { statePlan } from "../../helpers/plan.ts";

const [path, id, roundsArg] = process.argv.slice(2);
if (!path || !id || !roundsArg) {
  process.stderr.write("usage: state-writer.ts DB_PATH WORKER_ID ROUNDS\n");
  process.exit(64);
}
const rounds = Number(roundsArg);

const fakePlan = (identity: string) =>
  statePlan(identity, { cwd: "/home/user/project", copyCwd: true, env: [{ name: "K", value: `secret-${identity}`, secret: true, source: "literal" }] });

let errors = 0;
const db = openDb(path);
for (let r = 0; r < rounds; r++) {
  const identity = `w${id}-r${r}`;
  try {
    recordBottle(db, fakePlan(identity));
    setStatus(db, identity, "running");
    addEvent(db, identity, "note", { worker: id, round: r });
    // Readers interleave with writers (ls, the dashboard).
    if (findBottleRow(db, `w${id}-r`).length !== r + 1 - Math.floor(r / 5)) throw new Error("lost a row");
    setStatus(db, identity, "stopped");
    // gc removes some: every 5th round deletes its bottle again.
    if (r % 5 === 4) deleteBottleRow(db, identity);
  } catch (e) {
    errors++;
    process.stderr.write(`worker ${id} round ${r}: ${(e as Error).message}\n`);
  }
}
db.close();
process.stdout.write(JSON.stringify({ worker: id, rounds, errors }) + "\n");
process.exit(errors ? 1 : 0);
