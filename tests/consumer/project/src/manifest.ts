/**
 * The manifest the README's simulation test pushes (`imageManifest: manifest`): the README leaves its
 * definition to the reader, so the consumer project supplies one, as tests/simulation/ReadmeExamples.test.ts does.
 */
import { ManifestBuilder } from "@ecr-scan/core"

export const manifest = ManifestBuilder.image({
  config: { digest: `sha256:${"1".repeat(64)}`, size: 1 },
  layers: [{ digest: `sha256:${"2".repeat(64)}`, size: 2 }]
})
