// The consumer project's vitest: the TypeScript tests under test/ (plain/ runs on node's own test runner).
import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The SDK warns once per process that Node 20 support ends in 2027; it says nothing about the tests.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
