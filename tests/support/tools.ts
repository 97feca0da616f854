/**
 * The real peers the interop tests use (the AWS CLI, boto3, moto), found on this machine. In CI
 * (`CI=true`) a missing peer fails the suite; elsewhere its tests are skipped, saying why.
 */
import { spawnSync } from "node:child_process"
import { describe, it } from "vitest"

/** Whether a peer can run here, and why not. */
export interface Availability {
  readonly available: boolean
  readonly reason: string
}

const probe = (command: string, args: ReadonlyArray<string>, what: string): Availability => {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 })
  if (result.error !== undefined) return { available: false, reason: `${what}: ${result.error.message}` }
  if (result.status !== 0) return { available: false, reason: `${what}: exit ${result.status} ${result.stderr.trim()}` }
  return { available: true, reason: "" }
}

/** The Python the machine image provides. */
export const PYTHON = process.env.ECR_SCAN_PYTHON ?? "python3"

const memo = new Map<string, Availability>()
const once = (key: string, f: () => Availability) => {
  let value = memo.get(key)
  if (value === undefined) {
    value = f()
    memo.set(key, value)
  }
  return value
}

/** The AWS CLI. */
export const awsCli = () => once("aws", () => probe("aws", ["--version"], "the AWS CLI (aws) is not runnable"))
/** boto3 in the machine's Python. */
export const boto3 = () =>
  once("boto3", () => probe(PYTHON, ["-c", "import boto3"], `boto3 is not importable by ${PYTHON}`))
/** moto's server in the machine's Python. */
export const moto = () =>
  once("moto", () => probe(PYTHON, ["-c", "import moto.server, flask"], `moto's server is not importable by ${PYTHON}`))

/** Whether missing peers fail rather than skip. */
export const required = process.env.CI === "true"

/**
 * `describe` when the peer is here; in CI without it, a failing test that names what is missing;
 * elsewhere a skipped suite whose title says why.
 */
export const describeWith = (peer: Availability, title: string, body: () => void) => {
  if (peer.available) return describe(title, body)
  if (required) {
    return describe(title, () => {
      it("has its peer available (required in CI)", () => {
        throw new Error(`${title}: ${peer.reason}`)
      })
    })
  }
  return describe.skip(`${title} (skipped: ${peer.reason})`, body)
}

/** Environment for AWS clients run as subprocesses: dummy credentials, one attempt, no config files. */
export const awsEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_REGION: "us-east-1",
  AWS_MAX_ATTEMPTS: "1",
  AWS_RETRY_MODE: "standard",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_PAGER: "",
  ...extra
})
