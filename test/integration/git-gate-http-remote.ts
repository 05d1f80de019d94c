// Test helper for the git gate tests: a smart-HTTP git server (`git
// http-backend` as CGI behind Bun.serve) that answers 401 unless the Basic
// password is the token, standing in for GitHub and the like.
export interface HttpRemoteOptions {
  /** Folder of bare repositories served as /<name>.git. */
  projectRoot: string;
  token: string;
  /** Every request's URL and Authorization header, for assertions. */
  seen: { url: string; auth: string | null }[];
  /** "127.0.0.1" (loopback tests) or "0.0.0.0" (reached from containers). */
  hostname?: string;
}

export function startHttpRemote(o: HttpRemoteOptions) {
  return Bun.serve({
    hostname: o.hostname ?? "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const auth = req.headers.get("authorization");
      o.seen.push({ url: req.url, auth });
      const password = auth?.startsWith("Basic ") ? atob(auth.slice(6)).split(":").slice(1).join(":") : "";
      if (password !== o.token) return new Response("auth required\n", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="test"' } });
      const proc = Bun.spawn(["git", "http-backend"], {
        env: {
          PATH: process.env.PATH,
          GIT_PROJECT_ROOT: o.projectRoot,
          GIT_HTTP_EXPORT_ALL: "1",
          REMOTE_USER: "agent",
          REQUEST_METHOD: req.method,
          PATH_INFO: url.pathname,
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers.get("content-type") ?? "",
          HTTP_CONTENT_ENCODING: req.headers.get("content-encoding") ?? "",
          GIT_CONFIG_COUNT: "1",
          GIT_CONFIG_KEY_0: "http.receivepack",
          GIT_CONFIG_VALUE_0: "true",
        },
        stdin: new Uint8Array(await req.arrayBuffer()),
        stdout: "pipe",
        stderr: "ignore",
      });
      const out = Buffer.from(await new Response(proc.stdout).arrayBuffer());
      await proc.exited;
      // CGI: headers (with Status), a blank line, the body.
      const split = out.indexOf("\r\n\r\n");
      const headers = new Headers();
      let status = 200;
      for (const line of out.subarray(0, split).toString().split("\r\n")) {
        const [k, ...v] = line.split(":");
        if (!k) continue;
        if (k.toLowerCase() === "status") status = parseInt(v.join(":").trim(), 10);
        else headers.append(k, v.join(":").trim());
      }
      return new Response(out.subarray(split + 4), { status, headers });
    },
  });
}
