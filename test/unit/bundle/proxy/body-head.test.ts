// The response head travels with the first piece of a small length-framed
// body when that piece is already here (one write, one TLS record), and is
// otherwise sent at once: never held back waiting for body bytes.
import { expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { streamResponseBody } from "../../../../src/bundle/proxy/body-io.ts";
import { SocketReader } from "../../../../src/bundle/proxy/reader.ts";
import { makeScrubber, StreamScrub } from "../../../../src/bundle/proxy/dlp/scrub.ts";

const HEAD = Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");

function source() {
  const s = new PassThrough();
  return { s, r: new SocketReader(s) };
}

/** A sink that records each write separately. */
function sink() {
  const s = new PassThrough();
  const writes: string[] = [];
  const orig = s.write.bind(s);
  s.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
    writes.push(Buffer.from(chunk as Buffer).toString("latin1"));
    return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof s.write;
  s.resume();
  return { s, writes };
}

test("a small body already here goes out in one write with the head", async () => {
  const { s, r } = source();
  s.write("hello");
  await Bun.sleep(1);
  const out = sink();
  expect(await streamResponseBody(r, out.s, { kind: "length", length: 5 }, true, undefined, false, HEAD)).toBe(5);
  expect(out.writes).toEqual([HEAD.toString("latin1") + "hello"]);
});

test("the head is sent before body bytes that have not arrived yet", async () => {
  const { s, r } = source();
  const out = sink();
  const done = streamResponseBody(r, out.s, { kind: "length", length: 5 }, true, undefined, false, HEAD);
  await Bun.sleep(5);
  expect(out.writes).toEqual([HEAD.toString("latin1")]);
  s.write("hello");
  expect(await done).toBe(5);
  expect(out.writes.join("")).toBe(HEAD.toString("latin1") + "hello");
});

test("chunked and read-until-close bodies (server-sent events) get their head at once", async () => {
  for (const framing of [{ kind: "chunked" as const }, { kind: "close" as const }]) {
    const { s, r } = source();
    s.write(framing.kind === "chunked" ? "5\r\nevent\r\n" : "event");
    await Bun.sleep(1);
    const out = sink();
    const done = streamResponseBody(r, out.s, framing, true, undefined, false, HEAD);
    await Bun.sleep(5);
    expect(out.writes[0]).toBe(HEAD.toString("latin1"));
    s.end(framing.kind === "chunked" ? "0\r\n\r\n" : undefined);
    await done;
    expect(out.writes.join("")).toBe(HEAD.toString("latin1") + "5\r\nevent\r\n0\r\n\r\n");
  }
});

test("no body, an empty body and a large first piece", async () => {
  let out = sink();
  expect(await streamResponseBody(source().r, out.s, { kind: "none" }, true, undefined, false, HEAD)).toBe(0);
  expect(out.writes).toEqual([HEAD.toString("latin1")]);

  out = sink();
  expect(await streamResponseBody(source().r, out.s, { kind: "length", length: 0 }, true, undefined, false, HEAD)).toBe(0);
  expect(out.writes).toEqual([HEAD.toString("latin1")]);

  const big = Buffer.alloc(40_000, "x");
  const src = source();
  src.s.write(big);
  await Bun.sleep(1);
  out = sink();
  expect(await streamResponseBody(src.r, out.s, { kind: "length", length: big.length }, true, undefined, false, HEAD)).toBe(big.length);
  expect(out.writes[0]).toBe(HEAD.toString("latin1"));
  expect(out.writes.join("")).toBe(HEAD.toString("latin1") + big.toString("latin1"));
});

test("a piece the scrubber holds back does not hold the head", async () => {
  const scrubber = makeScrubber([{ name: "K", real: "real-credential-value-123", placeholder: "placeholder-value-0000000" }])!;
  const { s, r } = source();
  // Could be the start of the credential: held back until more arrives.
  s.write("real-cre");
  await Bun.sleep(1);
  const out = sink();
  const done = streamResponseBody(r, out.s, { kind: "length", length: 30 }, true, new StreamScrub(scrubber), true, HEAD);
  await Bun.sleep(5);
  expect(out.writes[0]).toBe(HEAD.toString("latin1"));
  s.write("dential-value-123 tail");
  await done;
  expect(out.writes.join("")).toContain("placeholder-value-0000000 tail");
  expect(out.writes.join("")).not.toContain("real-credential");
});
