// Pure: move a plan to another block of its subnet pool when the network
// create found its block taken. Addresses and the proxy URLs in the agent env
// move together.
import { bottleSubnet } from "../../plan/subnet.ts";
import type { BottlePlan } from "../../plan/types.ts";

export function replanSubnet(plan: BottlePlan, block: number): BottlePlan {
  const next = bottleSubnet(plan.network.pool, block);
  const old = plan.network.bundleIp;
  // Whole addresses only: "10.213.5.2" must not match inside "10.213.5.23".
  const addr = new RegExp(`(?<![\\d.])${old.replaceAll(".", "\\.")}(?![\\d])`, "g");
  return {
    ...plan,
    network: { ...plan.network, ...next },
    env: plan.env.map((v) => (v.source === "generated" ? { ...v, value: v.value.replace(addr, next.bundleIp) } : v)),
  };
}
