import { fileURLToPath } from "node:url"
import { configDefaults, defineConfig } from "vitest/config"

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: {
      "@ecr-scan/core": src("core"),
      "@ecr-scan/memory-backend": src("memory-backend"),
      "@ecr-scan/emulator": src("emulator"),
      "@ecr-scan/aws-backend": src("aws-backend"),
      "@ecr-scan/cli": src("cli"),
      "@ecr-scan/testing": src("testing")
    }
  },
  test: {
    // The SDK warns once per process that Node 20 support ends in 2027; it says nothing about the tests.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    include: ["packages/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    // The consumer test's project (tests/consumer/project/) runs in a project of its own, on the packed
    // tarballs (`npm run test:consumer`), never against the sources.
    exclude: [...configDefaults.exclude, "tests/consumer/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
