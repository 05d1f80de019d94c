// A port free right now (bind to 0, read it, release it): for daemons that
// cannot report the port they got (git daemon, a registry container) and tests.
export function freePort(host = "127.0.0.1"): number {
  const probe = Bun.listen({ hostname: host, port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}
