import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import { applyKeys, EMPTY_KEYS, readSecret } from "../../../src/util/secret-input.ts";
import { rejected } from "../../helpers/thrown.ts";

describe("applyKeys", () => {
  test.each([
    ["typing then Enter", ["hunter2\r"], { value: "hunter2", done: true, cancelled: false }],
    ["a paste arriving in pieces", ["sk-ant-", "api03-xyz", "\n"], { value: "sk-ant-api03-xyz", done: true, cancelled: false }],
    ["backspace removes the last character", ["abcd\x7f\x7fx\r"], { value: "abx", done: true, cancelled: false }],
    ["backspace on nothing is harmless", ["\x7f\x08ok\r"], { value: "ok", done: true, cancelled: false }],
    ["Ctrl-U clears the line", ["wrong\x15right\r"], { value: "right", done: true, cancelled: false }],
    ["arrow keys are ignored", ["ab\x1b[D\x1b[Ac\r"], { value: "abc", done: true, cancelled: false }],
    ["Ctrl-C cancels and forgets", ["secret\x03"], { value: "", done: false, cancelled: true }],
    ["Ctrl-D on an empty line cancels", ["\x04"], { value: "", done: false, cancelled: true }],
    ["Ctrl-D after text is ignored", ["ab\x04c\r"], { value: "abc", done: true, cancelled: false }],
    ["no Enter yet", ["partial"], { value: "partial", done: false, cancelled: false }],
    ["input after Enter is not taken", ["one\r", "two"], { value: "one", done: true, cancelled: false }],
    ["multi-byte characters", ["pässwörd🔑\x7f\r"], { value: "pässwörd", done: true, cancelled: false }],
  ])("%s", (_why, chunks, want) => {
    expect(chunks.reduce(applyKeys, EMPTY_KEYS)).toEqual(want);
  });
});

/** A fake raw-mode TTY: records raw-mode switches, lets the test type. */
class FakeTty extends EventEmitter {
  isTTY = true;
  raw: boolean[] = [];
  paused = true;
  setRawMode(mode: boolean) {
    this.raw.push(mode);
  }
  resume() {
    this.paused = false;
  }
  pause() {
    this.paused = true;
  }
  type(s: string) {
    this.emit("data", Buffer.from(s));
  }
}

describe("readSecret", () => {
  test("asks on the output, never echoes the answer, restores the terminal", async () => {
    const tty = new FakeTty();
    let out = "";
    const answer = readSecret("API key (ANTHROPIC_API_KEY)", tty, { write: (s) => (out += s) });
    tty.type("sk-ant-");
    tty.type("secret\r");
    expect(await answer).toBe("sk-ant-secret");
    expect(out).toBe("API key (ANTHROPIC_API_KEY) (input hidden): \n");
    expect(tty.raw).toEqual([true, false]);
    expect(tty.paused).toBe(true);
    expect(tty.listenerCount("data")).toBe(0);
  });

  test("Ctrl-C rejects with a usage error pointing at --env, and restores the terminal", async () => {
    const tty = new FakeTty();
    const answer = readSecret("Q", tty, { write: () => true });
    tty.type("abc\x03");
    const e = await rejected(() => answer);
    expect(e.code).toBe("USAGE");
    expect(e.hint).toContain("--env");
    expect(tty.raw).toEqual([true, false]);
  });

  test("without a TTY it refuses rather than read a secret in the clear", async () => {
    const notTty = Object.assign(new FakeTty(), { isTTY: false });
    const e = await rejected(() => readSecret("Q", notTty, { write: () => true }));
    expect(e.code).toBe("USAGE");
    expect(notTty.raw).toEqual([]);
  });
});
