// Pure: the deny-by-default host allowlist. Entries are manifest host
// patterns: `example.com`, `*.example.com` (also matches the apex), `*`, each
// optionally with `:port`. Without a port an entry allows only the scheme's
// default port (443 for CONNECT, 80 for plain HTTP): a tunnel to port 22 of an
// allowed host is a different capability and must be named.

export interface HostEntry {
  /** Lower-case host, without the `*.` prefix; "" for `*`. */
  host: string;
  wildcard: boolean;
  port?: number;
  source: string;
}

export type AllowDecision = { allowed: true; entry: string } | { allowed: false; reason: string };

export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

export function parseHostEntry(entry: string): HostEntry {
  const e = entry.trim().toLowerCase();
  // [v6]:port, bare v6 (several colons, no port), or host[:port].
  const m = /^\[([^\]]*)\](?::(\d{1,5}))?$/.exec(e) ?? (e.split(":").length > 2 ? [e, e] : /^(.*?)(?::(\d{1,5}))?$/.exec(e)!);
  const hostPart = m[1]!;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (hostPart === "*") return { host: "", wildcard: true, port, source: entry };
  if (hostPart.startsWith("*.")) return { host: normalizeHost(hostPart.slice(2)), wildcard: true, port, source: entry };
  return { host: normalizeHost(hostPart), wildcard: false, port, source: entry };
}

/** Does the entry's host part match host (ignoring ports)? */
export function hostMatches(entry: HostEntry, host: string): boolean {
  const h = normalizeHost(host);
  if (entry.wildcard && entry.host === "") return true;
  if (h === entry.host) return true;
  return entry.wildcard && h.endsWith("." + entry.host);
}

export function checkAllowlist(entries: readonly HostEntry[], host: string, port: number, defaultPort: number): AllowDecision {
  let hostSeen = false;
  for (const e of entries) {
    if (!hostMatches(e, host)) continue;
    hostSeen = true;
    if ((e.port ?? defaultPort) === port) return { allowed: true, entry: e.source };
  }
  if (hostSeen) return { allowed: false, reason: `port ${port} is not allowed for ${normalizeHost(host)} (only ${defaultPort} unless an allow entry names the port)` };
  return { allowed: false, reason: `${normalizeHost(host)} is not in the allowlist` };
}

/** What to add to the manifest for this host/port to pass. */
export function suggestedEntry(host: string, port: number, defaultPort: number): string {
  const h = normalizeHost(host);
  return port === defaultPort ? h : `${h}:${port}`;
}

export type HostDecision = AllowDecision & {
  /** Not allowed, but the operator may be asked (it is not on the deny list). */
  askable?: boolean;
  /** On the operator's deny list. */
  denied?: boolean;
};

/**
 * The allowlist with the operator's live deny list in front of it: a denied
 * host is refused whatever the allowlist says and is never asked about.
 */
export function checkHost(
  allow: readonly HostEntry[],
  deny: readonly HostEntry[],
  host: string,
  port: number,
  defaultPort: number,
): HostDecision {
  for (const e of deny) {
    if (hostMatches(e, host) && (e.port === undefined || e.port === port)) {
      return { allowed: false, reason: `${normalizeHost(host)} is denied by the operator (${e.source})`, denied: true };
    }
  }
  const d = checkAllowlist(allow, host, port, defaultPort);
  return d.allowed ? d : { ...d, askable: true };
}
