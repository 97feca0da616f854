/** Shared by the emulator package's tests. */
import { ManifestBuilder } from "@ecr-scan/core"
import { createHash } from "node:crypto"

const sha256 = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`

/** An OCI image manifest, distinct per `n`, with one layer (a scannable image). */
export const manifest = (n: number) =>
  ManifestBuilder.image({
    config: { digest: sha256(`config-${n}`), size: 100 },
    layers: [{ digest: sha256(`layer-${n}`), size: 1000 + n }]
  })

/** The rejection of a promise that must reject. */
export const rejection = (promise: Promise<unknown>): Promise<any> =>
  promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`)
    },
    (error: unknown) => error
  )
