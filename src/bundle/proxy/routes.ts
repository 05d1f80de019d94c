// Pure: egress routes — which route a host belongs to, and how its request
// headers are rewritten. The agent never chooses the credential: whatever it
// sent in the route's credential header (the placeholder or anything else)
// is removed and the real value from the bundle's environment injected.
import type { ProxyRouteConfig } from "../config.ts";
import { hostMatches, parseHostEntry } from "./allowlist.ts";
import type { Header } from "./http-head.ts";
import type { NamedValue } from "./dlp/scan.ts";
import { BottleError } from "../../util/errors.ts";

export function findRoute(routes: readonly ProxyRouteConfig[], host: string): ProxyRouteConfig | undefined {
  // An exact host beats a wildcard route.
  const exact = routes.find((r) => {
    const e = parseHostEntry(r.host);
    return !e.wildcard && hostMatches(e, host);
  });
  return exact ?? routes.find((r) => hostMatches(parseHostEntry(r.host), host));
}

/** Placeholders of routes other than `route` (all routes when undefined). */
export function foreignPlaceholders(routes: readonly ProxyRouteConfig[], route: ProxyRouteConfig | undefined): NamedValue[] {
  return routes
    .filter((r) => r !== route && r.credential)
    .map((r) => ({ name: r.host, value: r.credential!.placeholder, env: r.credential!.env }))
    .filter((p) => p.value !== route?.credential?.placeholder);
}

/** Real credential values, for each route, from the bundle's environment; missing ones fail at start. */
export function routeCredentials(routes: readonly ProxyRouteConfig[], env: Record<string, string | undefined>): Map<ProxyRouteConfig, string> {
  const out = new Map<ProxyRouteConfig, string>();
  for (const r of routes) {
    if (!r.credential) continue;
    const v = env[r.credential.bundleEnv];
    if (!v) {
      throw new BottleError("PROXY", `egress route ${r.host}: bundle env ${r.credential.bundleEnv} is not set`, {
        hint: "the host passes each route's real credential to the bundle container; relaunch the bottle",
      });
    }
    out.set(r, v);
  }
  return out;
}

/** Request headers for the route's upstream: agent's credential header out, the real one in. */
export function injectCredential(headers: Header[], route: ProxyRouteConfig | undefined, real: string | undefined): Header[] {
  const cred = route?.credential;
  if (!cred || real === undefined) return headers;
  const name = cred.header.toLowerCase();
  const kept = headers.filter(([k]) => k.toLowerCase() !== name);
  return [...kept, [cred.header, cred.prefix + real]];
}

/**
 * Path with the route's placeholder swapped for the real value in the query string
 * (route.credential.query) — only where it is a parameter's whole value (`key=<placeholder>`):
 * inside another value (`redirect=https://elsewhere/?k=<placeholder>`, a webhook URL) the upstream
 * would carry the real key on to a place the agent chose.
 */
export function injectQuery(path: string, route: ProxyRouteConfig | undefined, real: string | undefined): string {
  const cred = route?.credential;
  if (!cred?.query || real === undefined) return path;
  const q = path.indexOf("?");
  if (q < 0) return path;
  const query = path.slice(q + 1);
  if (!query.includes(cred.placeholder)) return path;
  const params = query.split("&").map((kv) => {
    const eq = kv.indexOf("=");
    return eq >= 0 && kv.slice(eq + 1) === cred.placeholder ? kv.slice(0, eq + 1) + encodeURIComponent(real) : kv;
  });
  return path.slice(0, q + 1) + params.join("&");
}

/** Upstream origin for a request: the route's `upstream` URL, or the host itself. */
export interface UpstreamTarget {
  tls: boolean;
  host: string;
  port: number;
  /** Path prefix from the upstream URL ("" when none). */
  basePath: string;
  /** Host header value to send. */
  hostHeader: string;
}

export function upstreamTarget(route: ProxyRouteConfig | undefined, host: string, port: number, tls: boolean): UpstreamTarget {
  if (!route?.upstream) {
    const defaultPort = tls ? 443 : 80;
    const h = host.includes(":") ? `[${host}]` : host;
    return { tls, host, port, basePath: "", hostHeader: port === defaultPort ? h : `${h}:${port}` };
  }
  const u = new URL(route.upstream);
  const upTls = u.protocol === "https:";
  if (!upTls && u.protocol !== "http:") {
    throw new BottleError("PROXY", `route ${route.host}: upstream must be http:// or https://, got ${u.protocol}`);
  }
  const upHost = u.hostname.replace(/^\[|\]$/g, "");
  // The upstream is another origin (gateway, test server): address it by its own name.
  return {
    tls: upTls,
    host: upHost,
    port: u.port ? Number(u.port) : upTls ? 443 : 80,
    basePath: u.pathname.replace(/\/+$/, ""),
    hostHeader: u.host,
  };
}

/** Path for the audit log: query values replaced, names kept. */
export function auditPath(path: string): string {
  const q = path.indexOf("?");
  if (q < 0) return path.length > 512 ? path.slice(0, 512) + "…" : path;
  const names = path
    .slice(q + 1)
    .split("&")
    .map((kv) => kv.split("=")[0]!.slice(0, 64) + (kv.includes("=") ? "=…" : ""));
  return auditPath(path.slice(0, q)) + "?" + names.join("&");
}
