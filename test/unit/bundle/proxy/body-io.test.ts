import { describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { readWholeBody, ScanBudget, streamRequestBody, streamResponseBody } from "../../../../src/bundle/proxy/body-io.ts";
import { SocketReader } from "../../../../src/bundle/proxy/reader.ts";

function source(text: string | Buffer, end = true) {
  const s = new PassThrough();
  const r = new SocketReader(s);
  s.write(text);
  if (end) s.end();
  return r;
}

function sink() {
  const s = new PassThrough();
  const got: Buffer[] = [];
  s.on("data", (d: Buffer) => got.push(d));
  return { s, text: () => Buffer.concat(got).toString("latin1") };
}

describe("readWholeBody", () => {
  test.each([
    ["content-length", "hello world", { kind: "length", length: 11 } as const, "hello world"],
    ["chunked", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", { kind: "chunked" } as const, "hello world"],
    ["no body", "", { kind: "none" } as const, ""],
  ])("%s", async (_why, wire, framing, want) => {
    expect(((await readWholeBody(source(wire), framing, 1024)) as Buffer).toString()).toBe(want);
  });

  test("a single huge chunk is refused as soon as it passes the limit, not after it is read", async () => {
    // 1 GiB announced, only 100 KiB ever sent, stream left open: must not wait for the rest.
    const r = source("40000000\r\n" + "a".repeat(100 * 1024), false);
    expect(await readWholeBody(r, { kind: "chunked" }, 64 * 1024)).toBe("too-large");
  });
});

test("streamRequestBody re-frames a chunked body", async () => {
  const out = sink();
  const n = await streamRequestBody(source("3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"), out.s, { kind: "chunked" });
  await Bun.sleep(1);
  expect(n).toBe(5);
  expect(out.text()).toBe("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
});

describe("streamResponseBody", () => {
  test("a read-until-close body is sent to the agent chunked", async () => {
    const out = sink();
    const n = await streamResponseBody(source("streamed until close"), out.s, { kind: "close" });
    await Bun.sleep(1);
    expect(n).toBe(20);
    expect(out.text()).toBe("14\r\nstreamed until close\r\n0\r\n\r\n");
  });
  test("a content-length body is passed through exactly, leaving the next response buffered", async () => {
    const out = sink();
    const r = source("abcdeHTTP/1.1 200 OK\r\n\r\n");
    expect(await streamResponseBody(r, out.s, { kind: "length", length: 5 })).toBe(5);
    await Bun.sleep(1);
    expect(out.text()).toBe("abcde");
    expect((await r.readHead(100))!.toString()).toBe("HTTP/1.1 200 OK\r\n\r\n");
  });
  test("a body cut short by the origin is an error (the proxy then drops the agent's connection)", async () => {
    await expect(streamResponseBody(source("abc"), sink().s, { kind: "length", length: 10 })).rejects.toThrow("upstream closed");
  });
});

test("an HTTP/1.0 agent gets a chunked origin body de-chunked", async () => {
  const out = sink();
  await streamResponseBody(source("3\r\nabc\r\n0\r\n\r\n"), out.s, { kind: "chunked" }, false);
  await Bun.sleep(1);
  expect(out.text()).toBe("abc");
});

test("ScanBudget reserves up to its maximum and frees on release", () => {
  const b = new ScanBudget(10);
  expect(b.tryReserve(6)).toBe(true);
  expect(b.tryReserve(5)).toBe(false);
  expect(b.tryReserve(4)).toBe(true);
  b.release(6);
  expect(b.tryReserve(6)).toBe(true);
  b.release(100);
  expect(b.tryReserve(10)).toBe(true);
});

test("readWholeBody reserves as bytes arrive and answers busy when the budget says no", async () => {
  const b = new ScanBudget(8);
  let held = 0;
  const hold = (n: number) => b.tryReserve(n) && ((held += n), true);
  const got = await readWholeBody(source("hello world!"), { kind: "length", length: 12 }, 1024, hold);
  expect(got).toBe("busy");
  // Only what arrived was ever held (a promised Content-Length reserves nothing by itself).
  expect(held).toBeLessThanOrEqual(8);
  b.release(held);
  expect(await readWholeBody(source("hello"), { kind: "length", length: 5 }, 1024, hold)).toEqual(Buffer.from("hello"));
});
