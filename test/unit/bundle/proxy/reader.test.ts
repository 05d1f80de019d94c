import { describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { HeadError } from "../../../../src/bundle/proxy/http-head.ts";
import { ClosedError, SocketReader } from "../../../../src/bundle/proxy/reader.ts";

/** A reader over a stream fed with the given pieces, then ended. */
function feed(pieces: (string | Buffer)[], end = true) {
  const s = new PassThrough();
  const r = new SocketReader(s);
  (async () => {
    for (const p of pieces) {
      s.write(p);
      await Bun.sleep(1);
    }
    if (end) s.end();
  })();
  return { s, r };
}

describe("SocketReader", () => {
  test("a head split over many pieces, then the body stays buffered", async () => {
    const { r } = feed(["GE", "T / HTTP/1.1\r", "\nHost: x\r\n", "\r", "\nBODY"]);
    expect((await r.readHead(1024))!.toString()).toBe("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect((await r.readExactly(4)).toString()).toBe("BODY");
    expect(await r.readSome(10)).toBeNull();
  });

  test("clean EOF before any byte is null; EOF inside a head is an error", async () => {
    expect(await feed([]).r.readHead(1024)).toBeNull();
    await expect(feed(["GET / HT"]).r.readHead(1024)).rejects.toBeInstanceOf(ClosedError);
  });

  test("a head over the limit is refused without waiting for its end", async () => {
    const { r } = feed(["GET /" + "a".repeat(200)], false);
    await expect(r.readHead(100)).rejects.toBeInstanceOf(HeadError);
  });

  test("bytes that cannot start an HTTP head are refused at once", async () => {
    const { r } = feed([Buffer.from([0x16, 0x03, 0x01])], false);
    await expect(r.readHead(100)).rejects.toThrow("not an HTTP/1.1 message");
  });

  test("chunked body: sizes, extensions, data split across pieces, trailers", async () => {
    const { r } = feed(["5\r\nhel", "lo\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT"]);
    const got: string[] = [];
    let more = true;
    while (more) more = await r.readChunk((b) => void got.push(b.toString()));
    expect(got.join("")).toBe("hello world");
    expect((await r.readSome(10))!.toString()).toBe("NEXT");
  });

  test("a chunk without its trailing CRLF is refused", async () => {
    const { r } = feed(["3\r\nabcX\r\n0\r\n\r\n"]);
    await expect(r.readChunk(() => {})).rejects.toBeInstanceOf(HeadError);
  });

  test("readSome never returns more than asked", async () => {
    const { r } = feed(["abcdefgh"]);
    expect((await r.readSome(3))!.toString()).toBe("abc");
    expect((await r.readSome(100))!.toString()).toBe("defgh");
  });

  test("detach hands back what was buffered and stops listening", async () => {
    const { s, r } = feed(["CONNECT a:443 HTTP/1.1\r\n\r\n\x16\x03early"], false);
    await r.readHead(1024);
    expect(r.detach().toString("latin1")).toBe("\x16\x03early");
    expect(s.listenerCount("data")).toBe(0);
  });

  test("a fast sender is paused past the high-water mark, resumed when read", async () => {
    const s = new PassThrough();
    const r = new SocketReader(s);
    s.write(Buffer.alloc(300 * 1024));
    await Bun.sleep(5);
    expect(s.isPaused()).toBe(true);
    let n = 0;
    while (n < 300 * 1024) n += (await r.readSome(64 * 1024))!.length;
    s.write("x");
    expect((await r.readSome(10))!.toString()).toBe("x");
    expect(s.isPaused()).toBe(false);
  });
});
