// What every fake model API keeps of a request and where it listens: tests
// prove from the recorded headers and body what left the bottle.

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  json?: any;
}

/** Read an HTTP request once and record it; `json` is undefined when the body is not JSON. */
export async function recordRequest(req: Request, url: URL): Promise<RecordedRequest> {
  const body = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  let json: any;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { at: Date.now(), method: req.method, path: url.pathname + url.search, headers, body, json };
}

/** Where a fake listens (port 0 asks the OS for a free one), and how to stop it. */
export function listenAddress(
  server: { hostname?: string; port?: number; stop(closeActiveConnections?: boolean): unknown },
  requested?: string,
): { url: string; port: number; hostname: string; close(): Promise<void> } {
  const hostname = server.hostname ?? requested ?? "127.0.0.1";
  const port = server.port ?? 0;
  return {
    url: `http://${hostname}:${port}`,
    port,
    hostname,
    close: async () => {
      server.stop(true);
    },
  };
}

/** `bun test/fakes/<api>.ts [port] [host]`: where a fake run standalone listens. */
export const standaloneAddress = () => ({ port: Number(process.argv[2] ?? 0), hostname: process.argv[3] ?? "127.0.0.1" });
