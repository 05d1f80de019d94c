// Pure: move a plan to another subnet attempt when the network create found
// its /24 taken. Addresses and the proxy URLs in the agent env move together.
import { bundleSubnet } from "../../plan/subnet.ts";
import type { BottlePlan } from "../../plan/types.ts";

/** "10.213.7.0/24" → "10.213". */
export function subnetBaseOf(cidr: string): string {
  return cidr.split(".").slice(0, 2).join(".");
}

export function replanSubnet(plan: BottlePlan, attempt: number): BottlePlan {
  const next = bundleSubnet(plan.identity, attempt, subnetBaseOf(plan.network.cidr));
  const old = plan.network.bundleIp;
  // Whole addresses only: "10.213.5.2" must not match inside "10.213.5.23".
  const addr = new RegExp(`(?<![\\d.])${old.replaceAll(".", "\\.")}(?![\\d])`, "g");
  return {
    ...plan,
    network: { ...plan.network, ...next },
    env: plan.env.map((v) => (v.source === "generated" ? { ...v, value: v.value.replace(addr, next.bundleIp) } : v)),
  };
}
