import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock, isStale, parseOwner, type LockOwner } from "../../../../src/backends/smolmachines/pack-lock.ts";
import { pidAlive } from "../../../../src/util/process.ts";
import { removeTempDirs, tempDir } from "../../../fakes/smolvm-lib/testing.ts";

afterAll(removeTempDirs);

const tmp = () => tempDir("pack-lock-");
const owner = (o: Partial<LockOwner> = {}): LockOwner => ({ pid: 123, host: "h", startedAt: 1000, nonce: "n", ...o });

describe("isStale (pure)", () => {
  const base = { now: 2000, staleMs: 5000, host: "h", isAlive: (pid: number) => pid === 123 };
  test.each([
    ["live owner, same host", owner(), base, false],
    ["dead owner, same host", owner({ pid: 999 }), base, true],
    ["dead pid on another host: only age counts", owner({ pid: 999, host: "other" }), base, false],
    ["too old even though alive", owner(), { ...base, now: 1000 + 5001 }, true],
    ["unreadable, fresh", null, { ...base, mtimeMs: 1900 }, false],
    ["unreadable, old", null, { ...base, mtimeMs: -4000 }, true],
    ["unreadable, no mtime", null, base, false],
  ] as const)("%s", (_n, o, opts, want) => expect(isStale(o, opts)).toBe(want));
});

test("parseOwner", () => {
  expect(parseOwner(JSON.stringify(owner()))).toEqual(owner());
  expect(parseOwner("garbage")).toBeNull();
  expect(parseOwner('{"pid":"1"}')).toBeNull();
});

test("pidAlive", () => {
  expect(pidAlive(process.pid)).toBe(true);
  expect(pidAlive(2 ** 22 + 12345)).toBe(false);
});

describe("acquireLock", () => {
  test("creates the file with our pid, release removes it", async () => {
    const f = join(tmp(), "k.lock");
    const l = await acquireLock(f);
    expect(parseOwner(readFileSync(f, "utf8"))!.pid).toBe(process.pid);
    l.release();
    expect(existsSync(f)).toBe(false);
  });

  test("a second acquirer waits until the first releases", async () => {
    const f = join(tmp(), "k.lock");
    const first = await acquireLock(f);
    let waited = false;
    const second = acquireLock(f, { pollMs: 10, onWait: () => (waited = true) });
    await Bun.sleep(60);
    expect(waited).toBe(true);
    first.release();
    const l2 = await second;
    expect(parseOwner(readFileSync(f, "utf8"))!.nonce).toBe(l2.owner.nonce);
    l2.release();
  });

  test("gives up after waitMs with a hint", async () => {
    const f = join(tmp(), "k.lock");
    const first = await acquireLock(f);
    await expect(acquireLock(f, { waitMs: 50, pollMs: 10 })).rejects.toThrow("still packing");
    first.release();
  });

  test("takes over a lock whose pid is dead", async () => {
    const f = join(tmp(), "k.lock");
    writeFileSync(f, JSON.stringify(owner({ pid: 2 ** 22 + 999, host: require("node:os").hostname(), startedAt: Date.now() })));
    const l = await acquireLock(f, { waitMs: 1000, pollMs: 10 });
    expect(l.owner.pid).toBe(process.pid);
    l.release();
  });

  test("takes over an unreadable lock once it is old", async () => {
    const f = join(tmp(), "k.lock");
    writeFileSync(f, "half-written");
    const old = new Date(Date.now() - 10_000);
    utimesSync(f, old, old);
    const l = await acquireLock(f, { staleMs: 5000, waitMs: 1000, pollMs: 10 });
    expect(parseOwner(readFileSync(f, "utf8"))!.nonce).toBe(l.owner.nonce);
    l.release();
  });

  test("release does not remove a lock someone else now holds", async () => {
    const f = join(tmp(), "k.lock");
    const l = await acquireLock(f);
    writeFileSync(f, JSON.stringify(owner({ nonce: "someone-else" })));
    l.release();
    expect(existsSync(f)).toBe(true);
  });

  test("many concurrent acquirers: one at a time", async () => {
    const f = join(tmp(), "k.lock");
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        const l = await acquireLock(f, { pollMs: 5, waitMs: 10_000 });
        inside++;
        maxInside = Math.max(maxInside, inside);
        await Bun.sleep(15);
        inside--;
        l.release();
      }),
    );
    expect(maxInside).toBe(1);
  });
});
