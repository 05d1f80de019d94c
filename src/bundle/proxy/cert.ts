// X.509 certificates for the interception CA and its per-host leaves, built
// with WebCrypto ECDSA P-256 (signing a leaf is well under a millisecond) and
// the small DER encoder next door: no native or polyfill-needing dependency.
import { isIP } from "node:net";
import * as der from "./der.ts";

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyId: "2.5.29.14",
  authorityKeyId: "2.5.29.35",
  nameConstraints: "2.5.29.30",
  serverAuth: "1.3.6.1.5.5.7.3.1",
} as const;

export const EC_ALG = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN_ALG = { name: "ECDSA", hash: "SHA-256" } as const;

export interface Signer {
  /** DER Name of the issuer (the CA's subject). */
  name: der.Bytes;
  /** Subject key identifier of the CA. */
  keyId: der.Bytes;
  key: CryptoKey;
}

export function distinguishedName(cn: string, org = "bot-bottle"): der.Bytes {
  return der.seq(
    der.set(der.seq(der.oid(OID.organization), der.utf8(org))),
    der.set(der.seq(der.oid(OID.commonName), der.utf8(cn))),
  );
}

function extension(id: string, critical: boolean, value: der.Bytes): der.Bytes {
  return critical ? der.seq(der.oid(id), der.bool(true), der.octets(value)) : der.seq(der.oid(id), der.octets(value));
}

/** SHA-1 of the public key bits, the conventional key identifier (RFC 5280 4.2.1.2). */
export async function keyIdentifier(spki: der.Bytes): Promise<der.Bytes> {
  const [, bits] = der.children(der.readElement(spki));
  // Skip the BIT STRING's unused-bits byte.
  const keyBits = bits!.content.subarray(1);
  return new Uint8Array(await crypto.subtle.digest("SHA-1", keyBits));
}

function randomSerial(): der.Bytes {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] = b[0]! & 0x7f; // positive
  return der.uint(b);
}

interface TbsInput {
  issuer: der.Bytes;
  subject: der.Bytes;
  notBefore: Date;
  notAfter: Date;
  spki: der.Bytes;
  extensions: der.Bytes[];
}

async function signTbs(input: TbsInput, key: CryptoKey): Promise<der.Bytes> {
  const algId = der.seq(der.oid(OID.ecdsaWithSha256));
  const tbs = der.seq(
    der.explicit(0, der.small(2)), // v3
    randomSerial(),
    algId,
    input.issuer,
    der.seq(der.time(input.notBefore), der.time(input.notAfter)),
    input.subject,
    input.spki,
    der.explicit(3, der.seq(...input.extensions)),
  );
  const sig = new Uint8Array(await crypto.subtle.sign(SIGN_ALG, key, tbs));
  return der.seq(tbs, algId, der.bitString(der.ecdsaSigToDer(sig)));
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A self-signed CA certificate (DER) for the key pair. Valid ten years; clocks in VMs drift, so start an hour back. */
export async function createCaCert(keys: CryptoKeyPair, cn: string, now = new Date()): Promise<der.Bytes> {
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const keyId = await keyIdentifier(spki);
  const name = distinguishedName(cn);
  return signTbs(
    {
      issuer: name,
      subject: name,
      notBefore: new Date(now.getTime() - HOUR),
      notAfter: new Date(now.getTime() + 3650 * DAY),
      spki,
      extensions: [
        extension(OID.basicConstraints, true, der.seq(der.bool(true), der.small(0))),
        // keyCertSign (bit 5) + cRLSign (bit 6): 0b0000_0110, 1 unused bit.
        extension(OID.keyUsage, true, der.bitString(Uint8Array.of(0x06), 1)),
        extension(OID.subjectKeyId, false, der.octets(keyId)),
      ],
    },
    keys.privateKey,
  );
}

/** SubjectAltName entry: dNSName [2] or iPAddress [7]. */
function altName(host: string): der.Bytes {
  const v = isIP(host);
  if (v === 4) return der.implicit(7, Uint8Array.from(host.split(".").map(Number)));
  if (v === 6) return der.implicit(7, ipv6Bytes(host));
  return der.implicit(2, new TextEncoder().encode(host));
}

function ipv6Bytes(ip: string): der.Bytes {
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g || "0", 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

/** A leaf for `host` (or several names), signed by the CA. Short validity: leaves live only in memory. */
export async function createLeafCert(signer: Signer, host: string | string[], leafSpki: der.Bytes, now = new Date()): Promise<der.Bytes> {
  const names = typeof host === "string" ? [host] : host;
  // CN is limited to 64 characters; the SAN carries the real names.
  const cn = names[0]!.slice(0, 64);
  return signTbs(
    {
      issuer: signer.name,
      subject: distinguishedName(cn),
      notBefore: new Date(now.getTime() - HOUR),
      notAfter: new Date(now.getTime() + 30 * DAY),
      spki: leafSpki,
      extensions: [
        extension(OID.basicConstraints, true, der.seq()),
        // digitalSignature (bit 0): 0b1000_0000, 7 unused bits.
        extension(OID.keyUsage, true, der.bitString(Uint8Array.of(0x80), 7)),
        extension(OID.extKeyUsage, false, der.seq(der.oid(OID.serverAuth))),
        extension(OID.subjectAltName, false, der.seq(...names.map(altName))),
        extension(OID.authorityKeyId, false, der.seq(der.implicit(0, signer.keyId))),
      ],
    },
    signer.key,
  );
}

/** Subject Name and key identifier of a CA certificate we made (to sign leaves after a restart). */
export async function signerFromCert(certDer: der.Bytes, key: CryptoKey): Promise<Signer> {
  const [tbs] = der.children(der.readElement(certDer));
  const f = der.children(tbs!);
  // version [0], serial, sigAlg, issuer, validity, subject, spki, …
  const subject = f[5];
  const spki = f[6];
  if (!subject || !spki || f[0]?.tag !== 0xa0) throw new Error("not a v3 certificate");
  return { name: subject.raw, keyId: await keyIdentifier(spki.raw), key };
}
