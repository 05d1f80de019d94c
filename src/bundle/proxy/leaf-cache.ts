// Leaf certificates per host, minted on first use and kept in memory. One
// leaf key pair serves every host (only the signature differs), so minting is
// a single ECDSA signature.
import { createSecureContext, type SecureContext } from "node:tls";
import { createLeafCert, EC_ALG, type Signer } from "./cert.ts";
import { derToPem } from "./der.ts";

const MAX_ENTRIES = 2000;

export class LeafCache {
  private readonly contexts = new Map<string, Promise<SecureContext>>();
  private leafKey?: Promise<{ spki: Uint8Array<ArrayBuffer>; keyPem: string }>;

  constructor(private readonly signer: Signer, private readonly caPem: string) {}

  /** TLS context presenting a leaf for host (lower-case name or IP literal). */
  context(host: string): Promise<SecureContext> {
    const key = host.toLowerCase();
    let ctx = this.contexts.get(key);
    if (ctx) return ctx;
    // Oldest-first eviction keeps memory bounded for agents that visit many hosts.
    if (this.contexts.size >= MAX_ENTRIES) this.contexts.delete(this.contexts.keys().next().value!);
    ctx = this.mint(key);
    ctx.catch(() => this.contexts.delete(key));
    this.contexts.set(key, ctx);
    return ctx;
  }

  private async mint(host: string): Promise<SecureContext> {
    const { spki, keyPem } = await this.key();
    const certDer = await createLeafCert(this.signer, host, spki);
    // Send the chain (leaf + CA) so clients that only trust the CA via an extra bundle still build it.
    return createSecureContext({ cert: derToPem(certDer, "CERTIFICATE") + this.caPem, key: keyPem });
  }

  private key() {
    this.leafKey ??= (async () => {
      const kp = (await crypto.subtle.generateKey(EC_ALG, true, ["sign", "verify"])) as CryptoKeyPair;
      const spki = new Uint8Array(await crypto.subtle.exportKey("spki", kp.publicKey));
      const keyPem = derToPem(new Uint8Array(await crypto.subtle.exportKey("pkcs8", kp.privateKey)), "PRIVATE KEY");
      return { spki, keyPem };
    })();
    return this.leafKey;
  }
}
