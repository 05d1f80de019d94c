import { describe, expect, test } from "bun:test";
import { privateAddressReason, privateAllowed } from "../../../../src/bundle/proxy/ssrf.ts";
import { RefusedAddress, resolveChecked } from "../../../../src/bundle/proxy/upstream.ts";

describe("privateAddressReason", () => {
  test.each([
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "RFC 1918"],
    ["172.16.0.1", "RFC 1918"],
    ["172.31.255.255", "RFC 1918"],
    ["192.168.1.1", "RFC 1918"],
    ["169.254.169.254", "metadata"],
    ["169.254.1.1", "link-local"],
    ["100.64.0.1", "CGNAT"],
    ["100.127.255.254", "CGNAT"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["192.0.2.1", "reserved"],
    ["198.51.100.7", "reserved"],
    ["198.18.0.1", "reserved"],
    ["240.0.0.1", "reserved"],
    ["fec0::1", "site-local"],
    ["fd00:ec2::254", "metadata"],
    ["2001:db8::1", "reserved"],
    // IPv4 carried inside IPv6: judged by the IPv4 address.
    ["::a00:1", "RFC 1918"],
    ["::ffff:0:a00:1", "RFC 1918"],
    ["64:ff9b:1::a00:1", "RFC 1918"],
    ["2002:a00:1::1", "RFC 1918"],
    ["2002:808:808::1", "6to4"],
    ["2001:0:4136:e378::1", "Teredo"],
    ["127.1", "not an IP"],
    ["0x7f.0.0.1", "not an IP"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fc00::1", "ULA"],
    ["fd12:3456::1", "ULA"],
    ["ff02::1", "multicast"],
    ["::ffff:10.0.0.1", "RFC 1918"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:a9fe:a9fe", "metadata"],
    ["64:ff9b::192.168.0.1", "RFC 1918"],
    ["[::1]", "loopback"],
    ["not-an-ip", "not an IP"],
  ])("%s is refused (%s)", (ip, fragment) => {
    expect(privateAddressReason(ip)).toContain(fragment);
  });

  test.each(["8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.1.1", "192.169.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2a00:1450:4001::200e"])(
    "%s is public",
    (ip) => {
      expect(privateAddressReason(ip)).toBeUndefined();
    },
  );
});


describe("privateAllowed", () => {
  test.each([
    [["localhost"], "localhost", "127.0.0.1", true],
    [["127.0.0.1"], "fake.test", "127.0.0.1", true],
    [["LOCALHOST."], "localhost", "127.0.0.1", true],
    [["gateway.corp"], "localhost", "127.0.0.1", false],
    [[], "localhost", "127.0.0.1", false],
    [undefined, "localhost", "127.0.0.1", false],
  ] as const)("%p host=%s ip=%s → %p", (list, host, ip, want) => {
    expect(privateAllowed(list as string[] | undefined, host, ip)).toBe(want);
  });
});

describe("resolveChecked", () => {
  const fake = (addrs: string[]) => async () => addrs;
  test("a public answer is dialled", async () => {
    expect(await resolveChecked("example.com", { blockPrivate: true }, fake(["93.184.216.34"]))).toBe("93.184.216.34");
  });
  test("a name resolving to the metadata address is refused after DNS", async () => {
    const e = await resolveChecked("metadata.evil", { blockPrivate: true }, fake(["169.254.169.254"])).catch((x) => x);
    expect(e).toBeInstanceOf(RefusedAddress);
    expect((e as RefusedAddress).why).toContain("metadata");
  });
  test("any private address in a mixed answer refuses the host (no rebinding by ordering)", async () => {
    const e = await resolveChecked("mixed.evil", { blockPrivate: true }, fake(["93.184.216.34", "10.0.0.5"])).catch((x) => x);
    expect(e).toBeInstanceOf(RefusedAddress);
  });
  test("allowPrivate exempts a named host", async () => {
    expect(await resolveChecked("fake.test", { blockPrivate: true, allowPrivate: ["fake.test"] }, fake(["127.0.0.1"]))).toBe("127.0.0.1");
  });
  test("IP literals are checked without DNS", async () => {
    expect(await resolveChecked("10.0.0.1", { blockPrivate: true }, fake([])).catch((x) => x)).toBeInstanceOf(RefusedAddress);
  });
  test("blockPrivate off dials anything", async () => {
    expect(await resolveChecked("x.test", { blockPrivate: false }, fake(["10.0.0.1"]))).toBe("10.0.0.1");
  });
});
