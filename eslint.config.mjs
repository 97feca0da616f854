// Lint and format in the Effect house style: dprint through @effect/eslint-plugin (no semicolons,
// double quotes, no trailing commas, 120 columns), typescript-eslint's recommended rules, and the
// package boundaries of DESIGN.md as import restrictions.
import * as effectEslint from "@effect/eslint-plugin"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "bench/results/**", "docs/**", "**/*.md"] },
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: "module" },
    rules: {
      "no-fallthrough": "off",
      "object-shorthand": "error",
      "require-yield": "off",
      "@typescript-eslint/array-type": ["warn", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-unsafe-function-type": "off",
      "@typescript-eslint/consistent-type-imports": "off",
      "@typescript-eslint/no-namespace": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }]
    }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: { "no-console": "error" }
  },
  {
    // The core is pure: no I/O, no Node, no AWS SDK, no backend or face.
    files: ["packages/core/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: ["node:*"], message: "packages/core does no I/O" },
          { group: ["@aws-sdk/*", "@smithy/*"], message: "packages/core does not depend on the AWS SDK" },
          { group: ["@ecr-scan/*"], message: "packages/core imports no other package of this project" },
          { group: ["@effect/platform*"], message: "packages/core does no I/O" }
        ]
      }]
    }
  },
  {
    files: ["packages/memory-backend/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{
          group: ["@ecr-scan/aws-backend", "@ecr-scan/emulator", "@ecr-scan/cli", "@aws-sdk/*"],
          message: "one backend never imports another or a face"
        }]
      }]
    }
  }
)
