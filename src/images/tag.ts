// Pure: image tags carry a hash of every build input, so an image is rebuilt
// exactly when its Dockerfile, base image, build CA or bundled binary changes.

export interface ImageInputs {
  /** A provider's name ("claude", "gemini", …) or "bundle". */
  kind: string;
  dockerfile: string;
  /** `docker image inspect` id of the base, or `unresolved:<ref>` when docker will pull it. */
  baseImageId: string;
  /** Context file name → sha256 of its content (build CA, scripts, binary). */
  files: Record<string, string>;
}

export function sha256Hex(data: string | Uint8Array | ArrayBuffer): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

export function imageTag(i: ImageInputs): string {
  const files = Object.keys(i.files)
    .sort()
    .map((k) => [k, i.files[k]]);
  const key = JSON.stringify([i.kind, i.dockerfile, i.baseImageId, files]);
  return `bot-bottle/${i.kind}:${sha256Hex(key).slice(0, 16)}`;
}
