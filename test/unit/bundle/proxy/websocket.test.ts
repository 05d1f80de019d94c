import { expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { closeFrame, encodeFrame, FrameError, readFrame } from "../../../../src/bundle/proxy/websocket.ts";
import { SocketReader } from "../../../../src/bundle/proxy/reader.ts";

function readerOf(...bufs: Buffer[]) {
  const s = new PassThrough();
  const r = new SocketReader(s);
  for (const b of bufs) s.write(b);
  s.end();
  return r;
}

test.each([0, 5, 125, 126, 65535, 65536, 200_000])("a masked frame of %d bytes round-trips and is unmasked", async (n) => {
  const payload = Buffer.alloc(n, 0x61);
  const key = Buffer.from([1, 2, 3, 4]);
  const raw = encodeFrame(true, 2, payload, key);
  const f = (await readFrame(readerOf(raw), 1 << 20))!;
  expect(f).toMatchObject({ fin: true, opcode: 2, masked: true, rsv: 0 });
  expect(f.payload.equals(payload)).toBe(true);
  expect(f.raw.equals(raw)).toBe(true);
});

test("a frame split across writes is read whole", async () => {
  const raw = encodeFrame(false, 1, Buffer.from("hello world"), Buffer.from([9, 9, 9, 9]));
  const f = (await readFrame(readerOf(raw.subarray(0, 1), raw.subarray(1, 3), raw.subarray(3)), 1024))!;
  expect(f.payload.toString()).toBe("hello world");
  expect(f.fin).toBe(false);
});

test("a declared length over the bound is refused before the payload is read (1009)", async () => {
  const head = Buffer.from([0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0]);
  const err = await readFrame(readerOf(head), 1 << 20).catch((e) => e);
  expect(err).toBeInstanceOf(FrameError);
  expect((err as FrameError).code).toBe(1009);
});

test("RSV bits are reported (compressed frames are refused by the relay)", async () => {
  const raw = encodeFrame(true, 1, Buffer.from("x"));
  raw[0]! |= 0x40;
  expect((await readFrame(readerOf(raw), 10))!.rsv).toBe(4);
});

test("close frames carry the code and a bounded reason", () => {
  const f = closeFrame(1008, "x".repeat(500));
  expect(f[0]).toBe(0x88);
  expect(f.readUInt16BE(2)).toBe(1008);
  expect(f.length).toBeLessThanOrEqual(2 + 125);
});

import { relayWebSocket } from "../../../../src/bundle/proxy/websocket.ts";
import { makeScrubber } from "../../../../src/bundle/proxy/dlp/scrub.ts";
import { SECRET_PATTERNS } from "../../../../src/bundle/proxy/dlp/patterns.ts";

test("a large server frame streams through the relay in pieces, scrubbed across piece boundaries, length kept", async () => {
  const REAL = "real-credential-value-0123456789abcdef";
  const PH = "fake-credential-value-9876543210fedcba";
  const client = new PassThrough();
  const up = new PassThrough();
  // What the relay writes to the agent: collected from the client stream's writable side.
  const toAgent: Buffer[] = [];
  const clientSide = new PassThrough();
  const agentDuplex = Object.assign(clientSide, {});
  agentDuplex.write = ((chunk: Buffer | string) => (toAgent.push(Buffer.from(chunk)), true)) as never;
  const upDuplex = new PassThrough();
  upDuplex.write = (() => true) as never;
  const payload = Buffer.alloc(3 * 1024 * 1024, 0x61);
  // The credential straddles a 64 KiB piece boundary.
  payload.write(REAL, 64 * 1024 - 10, "latin1");
  const done = relayWebSocket(
    { client: agentDuplex, clientReader: new SocketReader(client), up: upDuplex, upReader: new SocketReader(up) },
    "HTTP/1.1 101 Switching Protocols\r\n\r\n",
    { policy: { patterns: SECRET_PATTERNS, secrets: [], foreignPlaceholders: [], ownPlaceholders: [] }, scrubber: makeScrubber([{ name: "C0", real: REAL, placeholder: PH }]), maxMessage: 8 * 1024 * 1024 },
  );
  up.write(encodeFrame(true, 2, payload));
  up.end();
  client.end();
  await done;
  const out = Buffer.concat(toAgent.slice(1));
  const f = (await readFrame(readerOf(out), 1 << 23))!;
  expect(f.payload.length).toBe(payload.length);
  expect(f.payload.includes(REAL)).toBe(false);
  expect(f.payload.indexOf(PH)).toBe(64 * 1024 - 10);
}, 20_000);
