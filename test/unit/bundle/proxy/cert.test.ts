import { describe, expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureCa, loadOrCreateCa } from "../../../../src/bundle/proxy/ca.ts";
import { createLeafCert, EC_ALG } from "../../../../src/bundle/proxy/cert.ts";
import * as der from "../../../../src/bundle/proxy/der.ts";
import { BottleError } from "../../../../src/util/errors.ts";
import { tempDirs } from "../../../helpers/tmp.ts";

const tempDir = tempDirs("bb-proxy-unit-");

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("DER encoding", () => {
  test.each([
    ["small integer", der.small(2), "020102"],
    ["integer with the high bit set gets a 0 pad", der.uint(Uint8Array.of(0x80)), "02020080"],
    ["leading zeros are trimmed", der.uint(Uint8Array.of(0, 0, 5)), "020105"],
    ["OID ecdsa-with-SHA256", der.oid("1.2.840.10045.4.3.2"), "06082a8648ce3d040302"],
    ["OID commonName", der.oid("2.5.4.3"), "0603550403"],
    ["boolean true", der.bool(true), "0101ff"],
    ["UTCTime", der.time(new Date("2026-01-02T03:04:05Z")), "170d3236303130323033303430355a"],
    ["GeneralizedTime after 2049", der.time(new Date("2050-01-01T00:00:00Z")), "180f32303530303130313030303030305a"],
    ["long length form", der.octets(new Uint8Array(200)).subarray(0, 3), "0481c8"],
  ])("%s", (_why, bytes, want) => {
    expect(hex(bytes)).toBe(want);
  });

  test("ECDSA r||s → SEQUENCE of two INTEGERs", () => {
    const raw = new Uint8Array(64);
    raw[0] = 0x80;
    raw[63] = 1;
    const sig = der.ecdsaSigToDer(raw);
    const [r, s] = der.children(der.readElement(sig));
    expect(r!.content[0]).toBe(0); // padded: positive
    expect(hex(s!.content)).toBe("01"); // trimmed
  });

  test("PEM round trip", () => {
    const b = Uint8Array.from([1, 2, 3, 250]);
    expect(hex(der.pemToDer(der.derToPem(b, "X"), "X"))).toBe(hex(b));
  });
});

describe("bottle CA and leaves", () => {
  test("ensureCa creates ca.crt and a 0600 ca.key once, then loads the same CA", async () => {
    const dir = join(tempDir(), "ca");
    const first = await ensureCa(dir);
    expect(first.certFile).toBe(join(dir, "ca.crt"));
    expect(statSync(join(dir, "ca.key")).mode & 0o777).toBe(0o600);
    const again = await ensureCa(dir);
    expect(again.certPem).toBe(first.certPem);
    const ca = new X509Certificate(first.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
  });

  test("leaves verify against the CA and carry the host as SAN (DNS and IP)", async () => {
    const dir = tempDir();
    const ca = await loadOrCreateCa(dir);
    const kp = (await crypto.subtle.generateKey(EC_ALG, true, ["sign", "verify"])) as CryptoKeyPair;
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", kp.publicKey));
    const caCert = new X509Certificate(ca.certPem);
    for (const [host, san] of [
      ["api.example.com", "DNS:api.example.com"],
      ["127.0.0.1", "IP Address:127.0.0.1"],
      ["::1", "IP Address:0:0:0:0:0:0:0:1"],
    ]) {
      const leaf = new X509Certificate(der.derToPem(await createLeafCert(ca.signer, host!, spki), "CERTIFICATE"));
      expect(leaf.subjectAltName?.replace("::1", "0:0:0:0:0:0:0:1")).toBe(san!);
      expect(leaf.checkIssued(caCert)).toBe(true);
      expect(leaf.verify(caCert.publicKey)).toBe(true);
      expect(leaf.ca).toBe(false);
    }
  });

  test("a CA folder with only one of the two files is an error, not a silent new CA", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "ca.crt"), "x");
    const e = await loadOrCreateCa(dir).catch((x) => x);
    expect(e).toBeInstanceOf(BottleError);
    expect((e as BottleError).message).toContain("ca.crt");
  });

  test("a corrupt CA is reported with a hint", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "ca.crt"), "garbage");
    writeFileSync(join(dir, "ca.key"), "garbage");
    const e = (await loadOrCreateCa(dir).catch((x) => x)) as BottleError;
    expect(e.code).toBe("PROXY");
    expect(e.hint).toContain("remove ca.crt and ca.key");
  });
});
