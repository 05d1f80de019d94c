// smolvm's two ways to fail: `Error: <msg>` + exit 1 (SmolvmError), clap
// usage + exit 2 (UsageError, clap.ts); and its parse_env_spec.

export class SmolvmError extends Error {}
export const fail = (msg: string): never => {
  throw new SmolvmError(msg);
};
export const notFound = (n: string) => fail(`vm not found: ${n}`);

export const parseEnv = (e: string[]): [string, string][] =>
  e.flatMap((kv): [string, string][] => {
    const i = kv.indexOf("=");
    if (i === 0 || !kv) return [];
    if (i > 0) return [[kv.slice(0, i), kv.slice(i + 1)]];
    const v = process.env[kv];
    return v === undefined ? [] : [[kv, v]];
  });

