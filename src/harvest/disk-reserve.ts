// Pure: how much of the disk a harvest export may not take. The export is a
// second copy of work the bottle chose the size of; it stops before the
// operator's disk fills (their other programs would start losing writes).
// The work is not lost: the bottle keeps it and rm refuses until it is home.

const GiB = 1024 ** 3;

/** Free space an export always leaves: 1 GiB, or 2 % of a larger disk. */
export function reserveBytes(totalBytes: number): number {
  return Math.max(GiB, Math.floor(totalBytes * 0.02));
}

export interface DiskSpace {
  /** Bytes an unprivileged writer may still use (statfs bavail × bsize). */
  available: number;
  total: number;
}

/** Why the export must stop now, or null while there is room. */
export function lowOnSpace(d: DiskSpace): string | null {
  const reserve = reserveBytes(d.total);
  if (d.available >= reserve) return null;
  return `the disk holding bot-bottle's state has ${formatBytes(d.available)} free, under the ${formatBytes(reserve)} an export always leaves`;
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
