#!/usr/bin/env node
/**
 * The `ecr-scan` binary: `Cli.main` on the process's arguments, streams (Stdio.ts) and environment, its result
 * the process's exit code. Exit codes as the AWS CLI v2's: 0 success, 252 usage errors, 253 configuration
 * errors, 254 service errors, 255 anything else. Never a stack trace.
 *
 * Built for start-up (bench:cli): `ecr-scan --version` is answered before anything is loaded (with the bytes
 * @effect/cli prints for it); any other command line loads Effect, @effect/cli and then what its command uses
 * (Cli.ts); and bin/ecr-scan.js runs the bundle of this module (scripts/bundle.mjs), whose chunks follow these
 * dynamic imports.
 *
 * @since 0.1.0
 */
import { VERSION } from "./Version.js"

// The SDK's warning about Node 20 is for library authors; a command-line user can do nothing with it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true"

if (process.argv.length === 3 && process.argv[2] === "--version") {
  process.stdout.write(`${VERSION}\n\n`)
} else {
  const [NodeContext, NodeRuntime, Effect, Cli, Stdio] = await Promise.all([
    import("@effect/platform-node/NodeContext"),
    import("@effect/platform-node/NodeRuntime"),
    import("effect/Effect"),
    import("./Cli.js"),
    import("./Stdio.js")
  ])
  const program = Cli.main(process.argv).pipe(
    Effect.tap((code) =>
      Effect.sync(() => {
        if (code !== 0) process.exitCode = code
      })
    ),
    Effect.withConsole(Stdio.processConsole()),
    Effect.provide(NodeContext.layer)
  )
  NodeRuntime.runMain(program, { disableErrorReporting: true })
}
