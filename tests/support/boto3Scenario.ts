/**
 * boto3 scenarios against an emulator: a list of steps (a botocore call, or a control request) run by
 * tests/interop/boto3_client.py in one Python process, one attempt per call, one result per step.
 */
import { fileURLToPath } from "node:url"
import { expect } from "vitest"
import { unshimmed } from "./executables.js"
import { run } from "./subprocess.js"
import { awsEnv, PYTHON } from "./tools.js"

const SCRIPT = fileURLToPath(new URL("../interop/boto3_client.py", import.meta.url))

/** One step of a scenario. */
export type Step = Record<string, unknown>

/** A botocore call (`create_repository`, ...) with its parameters. */
export const call = (name: string, params: Record<string, unknown> = {}): Step => ({ call: name, params })

/** A control request to the emulator (`POST /clock/advance`, ...). */
export const control = (method: string, path: string, body?: unknown): Step => ({ control: { method, path, body } })

/** Moves the emulator's virtual clock. */
export const advance = (duration: string): Step => control("POST", "/clock/advance", { duration })

/** Runs a scenario and returns one result per step. */
export const scenario = async (
  endpoint: string,
  steps: ReadonlyArray<Step>,
  timeoutMs = 30_000
): Promise<Array<any>> => {
  const finished = await run(unshimmed(PYTHON), [SCRIPT], {
    env: awsEnv(),
    input: JSON.stringify({ endpoint, steps }),
    timeoutMs
  })
  if (finished.code !== 0) {
    throw new Error(`boto3_client.py exited ${finished.code} (${finished.signal}): ${finished.stderr}`)
  }
  const { results } = JSON.parse(finished.stdout)
  expect(results).toHaveLength(steps.length)
  return results
}

/** What every error from the server must look like: botocore's modelled exception of that name. */
export const modelled = (code: string, message: string, httpStatus = 400) => ({
  error: { code, message, http_status: httpStatus, exception_class: code, modelled: true }
})

/** A successful call's result. */
export const ok = (response: unknown) => ({ response, http_status: 200 })
