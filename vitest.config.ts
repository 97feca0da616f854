import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: {
      "@ecr-scan/core": src("core"),
      "@ecr-scan/memory-backend": src("memory-backend"),
      "@ecr-scan/emulator": src("emulator"),
      "@ecr-scan/aws-backend": src("aws-backend")
    }
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
