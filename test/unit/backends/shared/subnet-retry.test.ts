import { expect, test } from "bun:test";
import { replanSubnet } from "../../../../src/backends/shared/subnet-retry.ts";
import { bottleSubnet } from "../../../../src/plan/subnet.ts";
import { testPlan } from "../../../helpers/plan.ts";

test("replanSubnet moves addresses and every proxy variable, nothing else", async () => {
  const plan = await testPlan();
  const block = (plan.network.block + 3) % 4096;
  const next = replanSubnet(plan, block);
  const want = bottleSubnet(plan.network.pool, block);
  expect(next.network).toEqual({ ...plan.network, ...want });
  for (const name of ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"]) {
    expect(next.env.find((e) => e.name === name)!.value).toBe(`http://${want.bundleIp}:8888`);
  }
  for (const name of ["NO_PROXY", "no_proxy"]) {
    expect(next.env.find((e) => e.name === name)!.value).toBe(`localhost,127.0.0.1,${want.bundleIp}`);
  }
  const unchanged = (p: typeof plan) => p.env.filter((e) => !/proxy/i.test(e.name));
  expect(unchanged(next)).toEqual(unchanged(plan));
  expect(plan.network.cidr).not.toBe(next.network.cidr);
});

test("replanSubnet replaces whole addresses only", async () => {
  const plan = await testPlan();
  const ip = plan.network.bundleIp;
  const withLookalike = { ...plan, env: [...plan.env, { name: "X", value: `${ip}5,${ip}`, secret: false, source: "generated" as const }] };
  const next = replanSubnet(withLookalike, (plan.network.block + 1) % 4096);
  expect(next.env.find((e) => e.name === "X")!.value).toBe(`${ip}5,${next.network.bundleIp}`);
});
