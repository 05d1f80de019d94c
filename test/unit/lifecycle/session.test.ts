import { describe, expect, test } from "bun:test";
import { openDb } from "../../../src/state/db.ts";
import { addEvent, getBottleRow, listEvents, setKeep, setStatus } from "../../../src/state/bottles.ts";
import { launchBottle, resumeBottle, STOP_EVENT, type HarvestHooks } from "../../../src/lifecycle/session.ts";
import { EXIT } from "../../../src/util/exit-codes.ts";
import { getHarvest } from "../../../src/state/harvests.ts";
import { ownerAlive } from "../../../src/lifecycle/owner.ts";
import type { AttachOptions, BackendDriver, LiveStatus } from "../../../src/backends/types.ts";
import type { BottlePlan } from "../../../src/plan/types.ts";
import { BottleError } from "../../../src/util/errors.ts";
import { replanSubnet } from "../../../src/backends/shared/subnet-retry.ts";
import { testPlan, REAL_KEY } from "../../helpers/plan.ts";

class FakeDriver implements BackendDriver {
  readonly name = "docker" as const;
  calls: string[] = [];
  secrets?: Record<string, string>;
  constructor(
    private o: {
      upFails?: boolean;
      code?: number;
      moveSubnet?: boolean;
      status?: LiveStatus;
      onAttach?: () => void;
      onUp?: () => Promise<void>;
      removeFails?: boolean;
    } = {},
  ) {}
  async up(plan: BottlePlan, secrets: Record<string, string>) {
    this.calls.push("up");
    this.secrets = secrets;
    if (this.o.moveSubnet) Object.assign(plan, replanSubnet(plan, 1));
    await this.o.onUp?.();
    if (this.o.upFails) throw new BottleError("DOCKER", "no such image");
  }
  async attach(_p: BottlePlan, opts: AttachOptions) {
    this.calls.push(`attach:${opts.interactive ? "tty" : "run"}`);
    this.o.onAttach?.();
    return this.o.code ?? 0;
  }
  async exec() {
    return 0;
  }
  async start() {
    this.calls.push("start");
  }
  async stop() {
    this.calls.push("stop");
  }
  async remove() {
    this.calls.push("remove");
    if (this.o.removeFails) throw new BottleError("DOCKER", "Cannot connect to the Docker daemon");
  }
  async status() {
    return this.o.status ?? "stopped";
  }
  async listIdentities() {
    return [];
  }
  async collect() {
    this.calls.push("collect");
    return null;
  }
}

/** Harvest hooks that record into the driver's call list (order matters: harvest comes before teardown). */
let harvestFails = false;
const HV: HarvestHooks = {
  base: async () => ({ kind: "git", repo: "/p", head: null, tree: null, tips: [] }),
  harvest: async (_db, _plan, driver) => {
    (driver as FakeDriver).calls.push("harvest");
    if (harvestFails) throw new BottleError("HARVEST", "the host repository /p is gone");
  },
};

const statuses = (db: ReturnType<typeof openDb>, id: string) => listEvents(db, id, "status:").map((e) => e.kind.slice(7));

describe("launchBottle", () => {
  test("records first, passes real credentials to up, attaches, removes; returns the agent's code", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const d = new FakeDriver({ code: 7 });
    expect(await launchBottle({ harvest: HV, plan, driver: d, db, keep: false, attach: { interactive: false, prompt: "x" } })).toBe(7);
    expect(d.calls).toEqual(["up", "attach:run", "harvest", "remove"]);
    expect(d.secrets).toEqual({ BOT_BOTTLE_CRED_0: REAL_KEY });
    expect(statuses(db, plan.identity)).toEqual(["running", "removed"]);
    expect(listEvents(db, plan.identity, "exit")[0]!.data).toEqual({ code: 7 });
    expect(JSON.stringify(getBottleRow(db, plan.identity)!.plan)).not.toContain(REAL_KEY);
    expect(ownerAlive(db, plan.identity)).toBe(false);
  });

  test("--keep stops instead of removing", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const d = new FakeDriver();
    await launchBottle({ harvest: HV, plan, driver: d, db, keep: true, attach: { interactive: true } });
    expect(d.calls).toEqual(["up", "attach:tty", "harvest", "stop"]);
    expect(getBottleRow(db, plan.identity)!.status).toBe("stopped");
    expect(getBottleRow(db, plan.identity)!.keep).toBe(true);
  });

  test("a failure during up is recorded, torn down and rethrown", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const d = new FakeDriver({ upFails: true });
    const err = await launchBottle({ harvest: HV, plan, driver: d, db, keep: true, attach: { interactive: false } }).catch((e) => e);
    expect((err as BottleError).message).toBe("no such image");
    expect(d.calls).toEqual(["up", "remove"]);
    expect(getBottleRow(db, plan.identity)!.status).toBe("failed");
  });

  test("the row is visible as creating while up runs, with a live owner", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    let seen: [string, boolean] | undefined;
    const d = new FakeDriver({ onAttach: () => (seen = [getBottleRow(db, plan.identity)!.status, ownerAlive(db, plan.identity)]) });
    await launchBottle({ harvest: HV, plan, driver: d, db, keep: false, attach: { interactive: false } });
    expect(seen).toEqual(["running", true]);
  });

  test("a subnet moved during up is saved to the stored plan", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const first = plan.network.cidr;
    await launchBottle({ harvest: HV, plan, driver: new FakeDriver({ moveSubnet: true }), db, keep: true, attach: { interactive: false } });
    expect(getBottleRow(db, plan.identity)!.plan.network.cidr).toBe(plan.network.cidr);
    expect(plan.network.cidr).not.toBe(first);
  });

  test("with no engine the first real error comes first, cleanup trouble only as a note, and the row ends failed", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const d = new FakeDriver({ upFails: true, removeFails: true });
    const err = (await launchBottle({ harvest: HV, plan, driver: d, db, keep: false, attach: { interactive: false } }).catch((e) => e)) as BottleError;
    expect(err.oneLine()).toMatch(/^no such image — leftovers remain: `bot-bottle gc` removes them/);
    expect(getBottleRow(db, plan.identity)!.status).toBe("failed");
    expect(ownerAlive(db, plan.identity)).toBe(false);
  });

  test("SIGINT mid-up (an image build) ends the step and returns 130 after teardown", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const d = new FakeDriver({
      upFails: true,
      onUp: async () => {
        process.emit("SIGINT");
      },
    });
    expect(await launchBottle({ harvest: HV, plan, driver: d, db, keep: false, attach: { interactive: false } })).toBe(130);
    expect(d.calls).toEqual(["up", "remove"]);
    expect(getBottleRow(db, plan.identity)!.status).toBe("removed");
  });

  test("`bot-bottle stop` during a launch without --keep: kept, not removed, and the documented code", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const d = new FakeDriver({
      code: 137,
      onAttach: () => {
        // What cli/stop.ts does from another process.
        setKeep(db, plan.identity, true);
        addEvent(db, plan.identity, STOP_EVENT);
        setStatus(db, plan.identity, "stopped");
      },
    });
    expect(await launchBottle({ harvest: HV, plan, driver: d, db, keep: false, attach: { interactive: false } })).toBe(EXIT.STOPPED);
    expect(d.calls).toEqual(["up", "attach:run"]);
    const row = getBottleRow(db, plan.identity)!;
    expect([row.status, row.keep]).toEqual(["stopped", true]);
    expect(ownerAlive(db, plan.identity)).toBe(false);
  });

  test("SIGTERM during attach tears down and exits 143", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const d = new FakeDriver({ onAttach: () => process.emit("SIGTERM") });
    expect(await launchBottle({ harvest: HV, plan, driver: d, db, keep: false, attach: { interactive: false } })).toBe(143);
    expect(d.calls).toEqual(["up", "attach:run", "harvest", "remove"]);
    expect(listEvents(db, plan.identity, "signal")[0]!.data).toEqual({ signal: "SIGTERM" });
  });
});

describe("harvest before teardown", () => {
  test("a failing harvest stops the bottle instead of removing it, keeps it, and is an error", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const d = new FakeDriver({ code: 0 });
    harvestFails = true;
    try {
      const err = await launchBottle({ harvest: HV, plan, driver: d, db, keep: false, attach: { interactive: false } }).catch((e) => e);
      expect((err as BottleError).code).toBe("HARVEST");
    } finally {
      harvestFails = false;
    }
    expect(d.calls).toEqual(["up", "attach:run", "harvest", "stop"]);
    const row = getBottleRow(db, plan.identity)!;
    expect([row.status, row.keep]).toEqual(["stopped", true]);
  });

  test("no copy of the cwd: nothing to harvest", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    plan.copyCwd = false;
    const d = new FakeDriver();
    await launchBottle({ harvest: HV, plan, driver: d, db, keep: false, attach: { interactive: false } });
    expect(d.calls).toEqual(["up", "attach:run", "remove"]);
  });

  test("the launch base is recorded before up", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    await launchBottle({ harvest: HV, plan, driver: new FakeDriver(), db, keep: false, attach: { interactive: false } });
    expect(getHarvest(db, plan.identity)!.base).toEqual({ kind: "git", repo: "/p", head: null, tree: null, tips: [] });
  });
});

describe("resumeBottle", () => {
  test("starts a stopped bottle, attaches, stops again", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    await launchBottle({ harvest: HV, plan, driver: new FakeDriver(), db, keep: true, attach: { interactive: false } });
    const d = new FakeDriver({ status: "stopped", code: 2 });
    expect(await resumeBottle({ harvest: HV, plan, driver: d, db, attach: { interactive: true } })).toBe(2);
    expect(d.calls).toEqual(["start", "attach:tty", "harvest", "stop"]);
    expect(getBottleRow(db, plan.identity)!.status).toBe("stopped");
  });

  test("detached: start only, left running", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    await launchBottle({ harvest: HV, plan, driver: new FakeDriver(), db, keep: true, attach: { interactive: false } });
    const d = new FakeDriver({ status: "stopped" });
    expect(await resumeBottle({ harvest: HV, plan, driver: d, db })).toBe(0);
    expect(d.calls).toEqual(["start"]);
    expect(getBottleRow(db, plan.identity)!.status).toBe("running");
  });

  test("a bottle whose containers are gone cannot be resumed", async () => {
    const db = openDb(":memory:");
    const plan = await testPlan();
    const err = await resumeBottle({ harvest: HV, plan, driver: new FakeDriver({ status: "missing" }), db }).catch((e) => e);
    expect((err as BottleError).code).toBe("BOTTLE_NOT_FOUND");
  });
});
