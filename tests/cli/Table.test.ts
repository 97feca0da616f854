/**
 * `--output table` beside the AWS CLI's, byte for byte, for the same responses: create-repository,
 * put-image, start-image-scan, describe-image-scan-findings (findings with and without attributes, with wide
 * and ambiguous-width characters), describe-images, an empty list; off a terminal (80 columns, whatever
 * `COLUMNS` says) and on one (the AWS CLI's colours and resets, at two widths).
 *
 * The AWS CLI here is v1, which prints timestamps as the wire's epoch seconds (`1767225600`) in every
 * format unless `cli_timestamp_format = iso8601`; ecr-scan prints ISO 8601 in every format (as CLI v2 does),
 * so the AWS CLI runs with that setting, as in the text comparison of Workflow.test.ts.
 *
 * ecr-scan runs in-process, but on a terminal: there the bin runs on a pseudo-terminal beside the AWS CLI.
 */
import { describe, expect, it } from "vitest"
import * as Output from "../../packages/cli/src/Output.js"
import { digestOf, imageManifest } from "../support/emulator.js"
import { unshimmed } from "../support/executables.js"
import type { Finished } from "../support/subprocess.js"
import { awsCli, describeWith } from "../support/tools.js"
import { BIN, cliEnv, ecrScan, json, onTerminal, pseudoTerminal, type World, worlds } from "./support.js"

/** Findings of every shape the table has to lay out: with and without attributes, uri or description. */
const FINDINGS = [
  {
    name: "CVE-2026-0001",
    // Ü is narrow; 解析器 is wide, – and ‘ ’ are ambiguous: two columns each to the AWS CLI.
    description: "Überlauf im 解析器 – a ‘quoted’ heap overflow",
    uri: "https://security-tracker.example/CVE-2026-0001",
    severity: "CRITICAL",
    attributes: [{ key: "package_name", value: "libfoo" }, { key: "CVSS3_SCORE", value: "9.8" }]
  },
  { name: "CVE-2026-0002", severity: "LOW" },
  {
    name: "CVE-2026-0003",
    description: "A short one",
    severity: "MEDIUM",
    attributes: [{ key: "package_name", value: "bär" }]
  }
]

const REPOSITORY = "tbl/scanned"

/** Two images (`v1`, also tagged `latest`, and `v2`), `v1` scanned to COMPLETE with the findings above. */
const scanned = async (w: World) => {
  const [first, second] = [imageManifest(70), imageManifest(71)]
  await w.given(REPOSITORY, [first, second])
  await w.wire("PutImage", { repositoryName: REPOSITORY, imageManifest: first, imageTag: "latest" })
  await w.emulator.control("POST", "/findings", {
    repositoryName: REPOSITORY,
    imageDigest: digestOf(first),
    findings: FINDINGS
  })
  await w.wire("StartImageScan", { repositoryName: REPOSITORY, imageId: { imageTag: "v1" } })
  await w.emulator.advance("1 minute")
}

const findingsArgs = ["describe-image-scan-findings", "--repository-name", REPOSITORY, "--image-id", "imageTag=v1"]

/** Both exited 0 with nothing on stderr, and printed the same bytes. */
const expectSame = (ours: Finished, theirs: Finished) => {
  expect(theirs).toMatchObject({ code: 0, stderr: "" })
  expect(ours).toMatchObject({ code: 0, stderr: "" })
  expect(ours.stdout).toBe(theirs.stdout)
}

describeWith(awsCli(), "--output table, byte for byte as the AWS CLI prints it", () => {
  const { file, world } = worlds()
  let config: Promise<string> | undefined
  /** The AWS CLI's environment: ISO 8601 timestamps, as ecr-scan prints them. */
  const awsSettings = async () => ({
    AWS_CONFIG_FILE: await (config ??= file("aws-config", "[default]\ncli_timestamp_format = iso8601\n"))
  })

  it.concurrent("create-repository, an empty describe-images, put-image from file://, start-image-scan", async () => {
    // Two emulators in the same state (virtual clocks at 2026-01-01): each call gets the same response.
    const [ours, theirs] = await Promise.all([world(), world()])
    const env = await awsSettings()
    const step = async (args: ReadonlyArray<string>) => {
      const [a, b] = await Promise.all([
        // Off a terminal the AWS CLI takes 80 columns whatever COLUMNS says; so does ecr-scan.
        ours.ecrScan([...args, "--output", "table"], { COLUMNS: "200" }),
        theirs.aws([...args, "--output", "table"], env)
      ])
      expectSame(a, b)
      return a.stdout
    }
    await step(["create-repository", "--repository-name", "tbl/app"])
    // A list with nothing in it: no section, only the title.
    expect(await step(["describe-images", "--repository-name", "tbl/app"])).toBe(
      "----------------\n|DescribeImages|\n+--------------+\n"
    )
    const manifest = imageManifest(72)
    const path = await file("manifest.json", manifest)
    // The manifest makes it far wider than 80 columns: every one-row section turns into key/value rows.
    await step(["put-image", "--repository-name", "tbl/app", "--image-tag", "v1", "--image-manifest", `file://${path}`])
    expect(await step(["start-image-scan", "--repository-name", "tbl/app", "--image-id", "imageTag=v1"])).toBe(
      [
        "----------------------------------------------------------------------------------------------",
        "|                                       StartImageScan                                       |",
        "+------------------------------------------------+-------------------------------------------+",
        "|  registryId                                    |  123456789012                             |",
        "|  repositoryName                                |  tbl/app                                  |",
        "+------------------------------------------------+-------------------------------------------+",
        "||                                          imageId                                         ||",
        "|+-------------+----------------------------------------------------------------------------+|",
        `||  imageDigest|  ${digestOf(manifest)}   ||`,
        "||  imageTag   |  v1                                                                        ||",
        "|+-------------+----------------------------------------------------------------------------+|",
        "||                                      imageScanStatus                                     ||",
        "|+-----------------------------------+------------------------------------------------------+|",
        "||  status                           |  IN_PROGRESS                                         ||",
        "|+-----------------------------------+------------------------------------------------------+|",
        ""
      ].join("\n")
    )
  })

  it.concurrent("describe-image-scan-findings and describe-images after a scan with findings", async () => {
    const w = await world()
    await scanned(w)
    const env = await awsSettings()
    for (const args of [findingsArgs, ["describe-images", "--repository-name", REPOSITORY]]) {
      const [ours, theirs] = await Promise.all([
        w.ecrScan([...args, "--output", "table"]),
        w.aws([...args, "--output", "table"], env)
      ])
      expectSame(ours, theirs)
    }
  })

  it.concurrent("--max-items 1: the AWS CLI's table, botocore's NextToken included", async () => {
    const w = await world()
    await scanned(w)
    const env = await awsSettings()
    const args = [...findingsArgs, "--max-items", "1"]
    const [ours, oursJson, theirs] = await Promise.all([
      w.ecrScan([...args, "--output", "table"]),
      w.ecrScan([...args, "--output", "json"]),
      w.aws([...args, "--output", "table"], env)
    ])
    expect(theirs).toMatchObject({ code: 0, stderr: "" })
    expect(ours).toMatchObject({ code: 0, stderr: "" })
    const token = /^\|  NextToken\s+\|  (\S+)\s+\|$/m.exec(theirs.stdout)?.[1] ?? ""
    expect(Buffer.from(token, "base64").toString("utf8")).toBe("{\"nextToken\": null, \"boto_truncate_amount\": 1}")
    const response = json(oursJson)
    const offTerminal = { tty: false, width: 80 }
    // The bin prints the table of its response; with botocore's token in it, that is the AWS CLI's table.
    expect(ours.stdout).toBe(Output.table("DescribeImageScanFindings", response, offTerminal))
    expect(Output.table("DescribeImageScanFindings", { ...response, NextToken: token }, offTerminal)).toBe(
      theirs.stdout
    )
    // ecr-scan writes botocore's token, so the whole table is the AWS CLI's byte for byte.
    expectSame(ours, theirs)
    // And each CLI takes the other's token up where it left off.
    const next = [...findingsArgs, "--max-items", "2", "--starting-token", token, "--output", "json"]
    const [oursNext, theirsNext] = await Promise.all([w.ecrScan(next), w.aws(next, env)])
    expect(oursNext).toMatchObject({ code: 0, stderr: "" })
    // (Resuming mid-page, botocore also prints the paginator's other result key as `"enhancedFindings": null`.)
    const withoutNulls = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v) => v === null ? undefined : v))
    expect(json(oursNext)).toEqual(withoutNulls(json(theirsNext)))
  })

  describeWith(pseudoTerminal(), "on a terminal", () => {
    it.concurrent("colours and resets as colorama writes them, at 60 and 250 columns", async () => {
      const w = await world()
      await scanned(w)
      const awsEnvironment = cliEnv(await awsSettings())
      const onBoth = (columns: number, args: ReadonlyArray<string>) => {
        const tail = [...args, "--output", "table", "--endpoint-url", w.endpoint]
        return Promise.all([
          onTerminal(columns, process.execPath, [BIN, ...tail], cliEnv()),
          onTerminal(columns, unshimmed("aws"), ["ecr", ...tail], awsEnvironment)
        ])
      }
      const [[narrowOurs, narrowTheirs], [wideOurs, wideTheirs]] = await Promise.all([
        onBoth(60, findingsArgs),
        onBoth(250, findingsArgs)
      ])
      expectSame(narrowOurs, narrowTheirs)
      expectSame(wideOurs, wideTheirs)
      // In-process, on a console that says stdout is such a terminal: the same bytes.
      const inProcess = (width: number) =>
        ecrScan([...findingsArgs, "--output", "table", "--endpoint-url", w.endpoint], { stdout: { tty: true, width } })
      const [narrowInProcess, wideInProcess] = await Promise.all([inProcess(60), inProcess(250)])
      expectSame(narrowInProcess, narrowOurs)
      expectSame(wideInProcess, wideOurs)
      // Values bright blue, nesting bars dim yellow, a reset after every write and one more at exit.
      expect(wideOurs.stdout).toContain("\x1b[1m\x1b[34mCVE-2026-0001\x1b[0m")
      expect(wideOurs.stdout).toContain("\x1b[2m\x1b[33m|\x1b[0m")
      expect(wideOurs.stdout.endsWith("+\x1b[0m\x1b[2m\x1b[33m|\x1b[0m\x1b[0m\n\x1b[0m\x1b[0m")).toBe(true)
      // At 250 columns a one-row section keeps its header row; at 60 it turns into key/value rows.
      const header = /description +\| +name +\| +severity +\| +uri/
      expect(wideOurs.stdout).toMatch(header)
      expect(narrowOurs.stdout).not.toMatch(header)
    })
  })
})

describe("the table of a response (awscli/table.py's arithmetic, outputs of its TableFormatter)", () => {
  const offTerminal = (width: number) => ({ tty: false, width })

  it("scales the columns to the widest section, rounding half to even as Python does", () => {
    // Columns of 5, 5 and 10 scaled to 26 (the title's width): 6.5, 6.5 and 13, so 6, 6 and 13, then one
    // more for the last; rounding half up would give 7, 7 and 13, then one less for the first.
    expect(Output.table("HalfToEvenRoundingTitle!", { a: "1", b: "2", c: "abcdef" }, offTerminal(200))).toBe(
      [
        "--------------------------",
        "|HalfToEvenRoundingTitle!|",
        "+----+-----+-------------+",
        "|  a |  b  |      c      |",
        "+----+-----+-------------+",
        "|  1 |  2  |  abcdef     |",
        "+----+-----+-------------+",
        ""
      ].join("\n")
    )
  })

  it("turns one-row sections into key/value rows only when the table is wider than the terminal", () => {
    const response = { a: "12345678", b: "123456789", c: { d: "x".repeat(70) } }
    const tail = [
      "||                                       c                                       ||",
      "|+---+---------------------------------------------------------------------------+|",
      `||  d|  ${"x".repeat(70)}   ||`,
      "|+---+---------------------------------------------------------------------------+|",
      ""
    ]
    const head = [
      "-----------------------------------------------------------------------------------",
      "|                                        T                                        |"
    ]
    expect(Output.table("T", response, offTerminal(200))).toBe(
      [
        ...head,
        "+--------------------------------------+------------------------------------------+",
        "|                   a                  |                    b                     |",
        "+--------------------------------------+------------------------------------------+",
        "|  12345678                            |  123456789                               |",
        "+--------------------------------------+------------------------------------------+",
        ...tail
      ].join("\n")
    )
    expect(Output.table("T", response, offTerminal(80))).toBe(
      [
        ...head,
        "+---------------------+-----------------------------------------------------------+",
        "|  a                  |  12345678                                                 |",
        "|  b                  |  123456789                                                |",
        "+---------------------+-----------------------------------------------------------+",
        ...tail
      ].join("\n")
    )
  })
})
