/**
 * The AWS CLI against an emulator: `aws ecr <args> --endpoint-url <endpoint> --output json`, run as a
 * subprocess with dummy credentials and one attempt per call (`awsEnv`).
 */
import { unshimmed } from "./executables.js"
import { type Finished, run } from "./subprocess.js"
import { awsEnv } from "./tools.js"

/** Runs `aws ecr <args>` against `endpoint`, with `env` added to `awsEnv()`, JSON output. */
export const awsEcr = (
  endpoint: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  timeoutMs = 30_000
): Promise<Finished> =>
  run(unshimmed("aws"), ["ecr", ...args, "--endpoint-url", endpoint, "--output", "json"], {
    env: awsEnv(env),
    timeoutMs
  })
