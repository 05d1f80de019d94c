// One frame of the docker engine's multiplexed output (no terminal): stream
// byte, three zero bytes, big-endian length, payload — as the engine sends it.
export function muxFrame(stream: number, text: string): Uint8Array {
  const data = new TextEncoder().encode(text);
  const f = new Uint8Array(8 + data.length);
  f[0] = stream;
  new DataView(f.buffer).setUint32(4, data.length);
  f.set(data, 8);
  return f;
}
