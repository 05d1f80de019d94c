// One name per CPU architecture: docker reports `x86_64` / `aarch64`, bun
// targets say `x64` / `arm64`. Here because images/ and backends/ both ask.
export function normalizeArch(a: string): string {
  const s = a.trim().toLowerCase();
  if (s === "x86_64" || s === "amd64" || s === "x64") return "x64";
  if (s === "aarch64" || s === "arm64") return "arm64";
  return s;
}
