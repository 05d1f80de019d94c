// Pure: move a plan to another subnet attempt when the network create found
// its /24 taken. Addresses and the proxy URLs in the agent env move together.
import { bundleSubnet } from "../plan/subnet.ts";
import type { BottlePlan } from "../plan/types.ts";

/** "10.213.7.0/24" → "10.213". */
export function subnetBaseOf(cidr: string): string {
  return cidr.split(".").slice(0, 2).join(".");
}

export function replanSubnet(plan: BottlePlan, attempt: number): BottlePlan {
  const next = bundleSubnet(plan.identity, attempt, subnetBaseOf(plan.network.cidr));
  const oldHost = `${plan.network.bundleIp}:`;
  const newHost = `${next.bundleIp}:`;
  return {
    ...plan,
    network: { ...plan.network, ...next },
    env: plan.env.map((v) => (v.source === "generated" && v.value.includes(oldHost) ? { ...v, value: v.value.replaceAll(oldHost, newHost) } : v)),
  };
}
