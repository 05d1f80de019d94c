// The per-bottle interception CA: made once in the bundle's CA folder, loaded
// on every later start. The key file is 0600 and never leaves the bundle; the
// host only copies ca.crt into the agent's trust store.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BottleError } from "../../util/errors.ts";
import { createCaCert, EC_ALG, signerFromCert, type Signer } from "./cert.ts";
import { derToPem, pemToDer } from "./der.ts";

export const CA_CERT_NAME = "ca.crt";
export const CA_KEY_NAME = "ca.key";

export interface LoadedCa {
  certPem: string;
  certFile: string;
  signer: Signer;
}

export async function ensureCa(caDir: string): Promise<{ certPem: string; certFile: string }> {
  const { certPem, certFile } = await loadOrCreateCa(caDir);
  return { certPem, certFile };
}

export async function loadOrCreateCa(caDir: string): Promise<LoadedCa> {
  const certFile = join(caDir, CA_CERT_NAME);
  const keyFile = join(caDir, CA_KEY_NAME);
  const haveCert = existsSync(certFile);
  const haveKey = existsSync(keyFile);
  if (haveCert !== haveKey) {
    throw new BottleError("PROXY", `CA folder ${caDir} has ${haveCert ? CA_CERT_NAME : CA_KEY_NAME} but not the other`, {
      hint: "remove both files to make a new CA (agents then need the new ca.crt), or restore the missing one",
    });
  }
  try {
    if (!haveCert) return await createCa(caDir, certFile, keyFile);
    const certPem = readFileSync(certFile, "utf8");
    const keyDer = pemToDer(readFileSync(keyFile, "utf8"), "PRIVATE KEY");
    const key = await crypto.subtle.importKey("pkcs8", keyDer, EC_ALG, false, ["sign"]);
    return { certPem, certFile, signer: await signerFromCert(pemToDer(certPem, "CERTIFICATE"), key) };
  } catch (e) {
    if (e instanceof BottleError) throw e;
    throw new BottleError("PROXY", `cannot load the bottle CA from ${caDir}: ${(e as Error).message}`, {
      hint: "remove ca.crt and ca.key to make a new CA",
      cause: e,
    });
  }
}

async function createCa(caDir: string, certFile: string, keyFile: string): Promise<LoadedCa> {
  mkdirSync(caDir, { recursive: true, mode: 0o700 });
  const keys = (await crypto.subtle.generateKey(EC_ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const cn = `bot-bottle CA ${Buffer.from(crypto.getRandomValues(new Uint8Array(4))).toString("hex")}`;
  const certDer = await createCaCert(keys, cn);
  const keyPem = derToPem(new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey)), "PRIVATE KEY");
  // Key first with 0600 from the start (no window where it is world-readable).
  writeFileSync(keyFile, keyPem, { mode: 0o600, flag: "wx" });
  chmodSync(keyFile, 0o600);
  const certPem = derToPem(certDer, "CERTIFICATE");
  writeFileSync(certFile, certPem, { mode: 0o644 });
  return { certPem, certFile, signer: await signerFromCert(certDer, keys.privateKey) };
}
