// The per-bottle audit key: Ed25519 (WebCrypto), one JWK file in the bottle's
// bundle folder (0600 on the host; mounted into the bundle only, never into
// the agent). It signs checkpoints of the chain; `audit --verify` checks them.
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { BottleError } from "../../util/errors.ts";
import { sha256Hex } from "./canonical.ts";

export interface AuditKey {
  /** Public key, base64url (JWK `x`). */
  publicX: string;
  /** Short id of the public key, recorded in every checkpoint. */
  id: string;
  /** The bottle identity the key was made for (part of what a checkpoint signs). */
  bottle: string;
  privateKey?: CryptoKey;
}

const ALG = { name: "Ed25519" } as const;

export function keyId(publicX: string): string {
  return sha256Hex(publicX).slice(0, 16);
}

/**
 * Make the key file unless it exists: the host does this when it writes the
 * bundle folder, before the bundle starts (synchronous: node's generator; the
 * key is used through WebCrypto).
 */
export function ensureAuditKey(file: string, bottle: string): void {
  if (existsSync(file)) return;
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d, bottle }) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
}

function readJwk(file: string): { kty?: string; crv?: string; x?: string; d?: string } & { bottle?: string } {
  try {
    const jwk = JSON.parse(readFileSync(file, "utf8")) as { kty?: string; crv?: string; x?: string; d?: string } & { bottle?: string };
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("not an Ed25519 JWK");
    return jwk;
  } catch (e) {
    throw new BottleError("AUDIT", `cannot read the audit key ${file}: ${(e as Error).message}`, { hint: "the bottle's audit key is missing or damaged" });
  }
}

export async function loadAuditKey(file: string, withPrivate: boolean): Promise<AuditKey> {
  const jwk = readJwk(file);
  const key: AuditKey = { publicX: jwk.x!, id: keyId(jwk.x!), bottle: jwk.bottle ?? "" };
  if (withPrivate && jwk.d) {
    key.privateKey = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d }, ALG, false, ["sign"]);
  }
  return key;
}

export async function signText(key: AuditKey, text: string): Promise<string> {
  if (!key.privateKey) throw new BottleError("AUDIT", "the audit key has no private half here");
  const sig = await crypto.subtle.sign(ALG, key.privateKey, new TextEncoder().encode(text));
  return Buffer.from(sig).toString("base64url");
}

export async function verifyText(publicX: string, text: string, sig: string): Promise<boolean> {
  try {
    const pub = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: publicX }, ALG, false, ["verify"]);
    return await crypto.subtle.verify(ALG, pub, Buffer.from(sig, "base64url"), new TextEncoder().encode(text));
  } catch {
    return false;
  }
}
