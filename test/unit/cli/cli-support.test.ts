import { expect, test } from "bun:test";
import { openDb } from "../../../src/state/db.ts";
import { recordBottle } from "../../../src/state/bottles.ts";
import { argsAfterDashDash, findOneBottle } from "../../../src/cli/cli-support.ts";
import { BottleError } from "../../../src/util/errors.ts";
import { testPlan } from "../../helpers/plan.ts";

test.each([
  [["run", "demo"], undefined],
  [["run", "demo", "--"], []],
  [["run", "demo", "--keep", "--", "sh", "-c", "exit 3 -- x"], ["sh", "-c", "exit 3 -- x"]],
] as const)("argsAfterDashDash(%p)", (argv, want) => expect(argsAfterDashDash([...argv])).toEqual(want as never));

test("findOneBottle: exact, unique prefix, ambiguous, none", async () => {
  const db = openDb(":memory:");
  recordBottle(db, await testPlan("shell", "sh-aaa111"));
  recordBottle(db, await testPlan("shell", "sh-aab222"));
  expect(findOneBottle(db, "sh-aaa111").identity).toBe("sh-aaa111");
  expect(findOneBottle(db, "sh-aab").identity).toBe("sh-aab222");
  const ambiguous = (() => {
    try {
      findOneBottle(db, "sh-aa");
    } catch (e) {
      return e as BottleError;
    }
  })();
  expect(ambiguous?.code).toBe("USAGE");
  expect(ambiguous?.message).toContain("matches 2 bottles");
  expect(() => findOneBottle(db, "nope")).toThrow(/no bottle nope/);
});
