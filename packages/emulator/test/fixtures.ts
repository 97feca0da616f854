/** Shared by the emulator package's tests. */
import { createHash } from "node:crypto"

/** An OCI image manifest, distinct per `n`, with one layer (a scannable image). */
export const manifest = (n: number) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: `sha256:${createHash("sha256").update(`config-${n}`).digest("hex")}`,
      size: 100
    },
    layers: [{
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      digest: `sha256:${createHash("sha256").update(`layer-${n}`).digest("hex")}`,
      size: 1000 + n
    }]
  })
