/**
 * `simulate` (run in-process) with the registry's EventBridge events: each event in the timeline at its
 * instant (pushes when they happen, scan completions, a failed scan's included, when the virtual clock passes
 * them, in order), the same bytes run to run, `--no-events` leaving out the event lines and nothing else, and
 * the `expectEvent` step: an EventBridge pattern and a count over the events since the last expectations (or
 * since the start), a failure that exits 1 naming the step, and a pattern EventBridge would refuse as a usage
 * error (252) before anything runs.
 */
import { describe, expect, it } from "vitest"
import { ecrScan, expectNoTrace, linesOf, worlds } from "./support.js"

const scenario = (steps: ReadonlyArray<unknown>) =>
  JSON.stringify({ seed: "events", start: "2026-01-01T00:00:00Z", scanDuration: "30s", steps })

const FINDINGS = [
  { name: "CVE-2026-0001", severity: "CRITICAL" },
  { name: "CVE-2026-0002", severity: "HIGH" },
  { name: "CVE-2026-0003", severity: "HIGH" }
]

/** Pushes with scan on push, a manual scan that fails (an image with no layers), an archive, an untagged push. */
const TIMELINE = scenario([
  { createRepository: { name: "shop/api", scanOnPush: true } },
  { createRepository: { name: "shop/batch" } },
  { findings: { image: "api-1", findings: FINDINGS } },
  { push: { repository: "shop/api", image: "api-1", tag: "v1" } },
  { advance: "10s" },
  { push: { repository: "shop/batch", image: "static-binary", tag: "v1", layers: 0 } },
  { scan: { repository: "shop/batch", tag: "v1" } },
  { advance: "1m" },
  { describe: { repository: "shop/api", tag: "v1" } },
  { push: { repository: "shop/api", image: "api-2" } },
  { archive: { repository: "shop/api", tag: "v1" } }
])

const API_1 = "sha256:3057783636a1"
const STATIC = "sha256:eade56e16030"
const API_2 = "sha256:7fd836c23744"

const isEvent = (line: string) => /^\+\d{3}:\d{2}:\d{2} {2}event /.test(line)

describe.concurrent("simulate prints the registry's events", () => {
  const { file } = worlds()

  it("puts push, scan, completion and failed-scan events in the timeline, in order, at their instants", async () => {
    const path = await file("timeline.json", TIMELINE)
    const finished = await ecrScan(["simulate", path])
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(finished.stdout.split("\n")).toEqual([
      "+000:00:00  create-repository shop/api (scan on push) -> created",
      "+000:00:00  create-repository shop/batch -> created",
      "+000:00:00  set 3 findings of api-1",
      `+000:00:00  put-image shop/api:v1 -> ${API_1} (scan on push: IN_PROGRESS)`,
      `+000:00:00  event ECR Image Action PUSH shop/api:v1 (${API_1})`,
      `+000:00:10  put-image shop/batch:v1 -> ${STATIC}`,
      `+000:00:10  event ECR Image Action PUSH shop/batch:v1 (${STATIC})`,
      "+000:00:10  start-image-scan shop/batch:v1 -> IN_PROGRESS",
      // Completions while the clock moves, each at its own instant (30 s after its start), earliest first.
      `+000:00:30  event ECR Image Scan shop/api:v1 (${API_1}) -> COMPLETE {"CRITICAL":1,"HIGH":2}`,
      `+000:00:40  event ECR Image Scan shop/batch:v1 (${STATIC}) -> FAILED`,
      "+000:01:10  describe-image-scan-findings shop/api:v1 -> COMPLETE {\"CRITICAL\":1,\"HIGH\":2}",
      `+000:01:10  put-image shop/api:api-2 -> ${API_2} (scan on push: IN_PROGRESS)`,
      `+000:01:10  event ECR Image Action PUSH shop/api@${API_2}`,
      "+000:01:10  update-image-storage-class shop/api:v1 ARCHIVE -> ARCHIVED",
      `+000:01:10  event ECR Image Action UPDATE_STORAGE_CLASS shop/api@${API_1} -> ARCHIVE`,
      "",
      "summary after 000:01:10 (seed events)",
      "  images pushed: 3; scans accepted: 1",
      "  refused: none",
      "  latest scan status per image: FAILED 1, IMAGE_ARCHIVED 1, IN_PROGRESS 1",
      "  findings of the latest scans: none",
      "  account quota: 3 of 100000 used in the last 24 h",
      "  events: ECR Image Action 4, ECR Image Scan 2",
      ""
    ])
  })

  it("prints the same bytes run to run; --no-events leaves out the event lines and nothing else", async () => {
    const path = await file("same-bytes.json", TIMELINE)
    const [first, second, quiet, explicit] = await Promise.all([
      ecrScan(["simulate", path]),
      ecrScan(["simulate", path]),
      ecrScan(["simulate", path, "--no-events"]),
      ecrScan(["simulate", path, "--events"])
    ])
    for (const finished of [first, second, quiet, explicit]) expect(finished).toMatchObject({ code: 0, stderr: "" })
    expect(second.stdout).toBe(first.stdout)
    expect(explicit.stdout).toBe(first.stdout)
    expect(quiet.stdout).toBe(first.stdout.split("\n").filter((line) => !isEvent(line)).join("\n"))
    expect(quiet.stdout).toContain("  events: ECR Image Action 4, ECR Image Scan 2\n")
  })

  it("a scan that completes before a step that only reads is in the timeline before that step", async () => {
    const path = await file(
      "read-after.json",
      scenario([
        { createRepository: { name: "shop/api" } },
        { push: { repository: "shop/api", image: "api-1", tag: "v1" } },
        { scan: { repository: "shop/api", tag: "v1" } },
        { advance: "29s" },
        { describe: { repository: "shop/api", tag: "v1" } },
        { advance: "1s" },
        { describe: { repository: "shop/api", tag: "v1" } }
      ])
    )
    const finished = await ecrScan(["simulate", path, "--seed", "read"])
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    const lines = linesOf(finished.stdout)
    expect(lines.slice(4, 7)).toEqual([
      "+000:00:29  describe-image-scan-findings shop/api:v1 -> IN_PROGRESS",
      expect.stringMatching(/^\+000:00:30 {2}event ECR Image Scan shop\/api:v1 \(sha256:[0-9a-f]{12}\) -> COMPLETE \{/),
      expect.stringMatching(/^\+000:00:30 {2}describe-image-scan-findings shop\/api:v1 -> COMPLETE/)
    ])
  })
})

describe.concurrent("simulate's expectEvent step", () => {
  const { file } = worlds()

  const SCAN = { "detail-type": ["ECR Image Scan"] }
  const PUSH = { "detail-type": ["ECR Image Action"], detail: { "action-type": ["PUSH"] } }

  it("holds: a count over the events since the last expectations, or since the start; at least one without a count", async () => {
    const path = await file(
      "expect-ok.json",
      scenario([
        { createRepository: { name: "shop/api", scanOnPush: true } },
        { push: { repository: "shop/api", image: "api-1", tag: "v1" } },
        { expectEvent: { pattern: PUSH, count: 1 } },
        // The same group of expectations: the same events.
        { expectEvent: { pattern: SCAN, count: 0 } },
        { advance: "1m" },
        { expectEvent: { pattern: { ...SCAN, detail: { "scan-status": ["COMPLETE"] } } } },
        { expectEvent: { pattern: PUSH, count: 0 } },
        { expectEvent: { pattern: { source: ["aws.ecr"] }, count: 2, since: "start" } },
        {
          repeat: 2,
          steps: [
            { push: { repository: "shop/api", image: "api-build-{n}", tag: "build-{n}" } },
            { advance: "1m" },
            { expectEvent: { pattern: { detail: { "image-tag": ["build-{n}"] } }, count: 1 } },
            { expectEvent: { pattern: { ...SCAN, detail: { "image-tags": ["build-{n}"] } }, count: 1 } }
          ]
        }
      ])
    )
    const finished = await ecrScan(["simulate", path])
    expect(finished).toMatchObject({ code: 0, stderr: "" })
    const expectations = linesOf(finished.stdout).filter((line) => line.includes("expect-event "))
    expect(expectations).toEqual([
      "+000:00:00  expect-event {\"detail-type\":[\"ECR Image Action\"],\"detail\":{\"action-type\":[\"PUSH\"]}} " +
      "(count 1, since the last expectations) -> ok: 1 of 1 event matched",
      "+000:00:00  expect-event {\"detail-type\":[\"ECR Image Scan\"]} (count 0, since the last expectations) -> ok: " +
      "0 of 1 event matched",
      "+000:01:00  expect-event {\"detail-type\":[\"ECR Image Scan\"],\"detail\":{\"scan-status\":[\"COMPLETE\"]}} " +
      "(at least 1, since the last expectations) -> ok: 1 of 1 event matched",
      "+000:01:00  expect-event {\"detail-type\":[\"ECR Image Action\"],\"detail\":{\"action-type\":[\"PUSH\"]}} " +
      "(count 0, since the last expectations) -> ok: 0 of 1 event matched",
      "+000:01:00  expect-event {\"source\":[\"aws.ecr\"]} (count 2, since the start) -> ok: 2 of 2 events matched",
      "+000:02:00  expect-event {\"detail\":{\"image-tag\":[\"build-1\"]}} (count 1, since the last expectations) -> " +
      "ok: 1 of 2 events matched",
      "+000:02:00  expect-event {\"detail-type\":[\"ECR Image Scan\"],\"detail\":{\"image-tags\":[\"build-1\"]}} " +
      "(count 1, since the last expectations) -> ok: 1 of 2 events matched",
      "+000:03:00  expect-event {\"detail\":{\"image-tag\":[\"build-2\"]}} (count 1, since the last expectations) -> " +
      "ok: 1 of 2 events matched",
      "+000:03:00  expect-event {\"detail-type\":[\"ECR Image Scan\"],\"detail\":{\"image-tags\":[\"build-2\"]}} " +
      "(count 1, since the last expectations) -> ok: 1 of 2 events matched"
    ])
    expect(finished.stdout).toContain("  events: ECR Image Action 3, ECR Image Scan 3\n")
  })

  it("fails: exit 1, the timeline up to the step, and a message naming the step", async () => {
    const path = await file(
      "expect-fail.json",
      scenario([
        { createRepository: { name: "shop/api", scanOnPush: true } },
        { push: { repository: "shop/api", image: "api-1", tag: "v1" } },
        { advance: "10s" },
        { expectEvent: { pattern: SCAN, count: 1 } },
        { describe: { repository: "shop/api", tag: "v1" } }
      ])
    )
    const finished = await ecrScan(["simulate", path])
    expect(finished.code).toBe(1)
    expect(linesOf(finished.stderr)).toEqual([
      "ecr-scan: simulate: expectation failed: steps[3] at +000:00:10: expected 1 event matching " +
      "{\"detail-type\":[\"ECR Image Scan\"]} since the last expectations; 0 of 1 event matched"
    ])
    const lines = linesOf(finished.stdout)
    expect(lines.at(-1)).toBe(
      "+000:00:10  expect-event {\"detail-type\":[\"ECR Image Scan\"]} (count 1, since the last expectations) -> " +
        "FAILED: 0 of 1 event matched"
    )
    // Nothing after the failed step: no later step, no summary.
    expect(finished.stdout).not.toContain("describe-image-scan-findings")
    expect(finished.stdout).not.toContain("summary")
    expectNoTrace(finished.stderr)
  })

  it("fails in a repeat: the message names the step in the repeat and the iteration", async () => {
    const path = await file(
      "expect-fail-repeat.json",
      scenario([
        { createRepository: { name: "shop/api" } },
        {
          repeat: 3,
          steps: [
            { push: { repository: "shop/api", image: "api-{n}", tag: "t{n}" } },
            { expectEvent: { pattern: { detail: { "image-tag": ["t1", "t2"] } } } }
          ]
        }
      ])
    )
    const finished = await ecrScan(["simulate", path])
    expect(finished.code).toBe(1)
    expect(linesOf(finished.stderr)).toEqual([
      "ecr-scan: simulate: expectation failed: steps[1].steps[1] (repeat iteration 3) at +000:00:00: expected at " +
      "least 1 event matching {\"detail\":{\"image-tag\":[\"t1\",\"t2\"]}} since the last expectations; 0 of 1 event matched"
    ])
  })

  const usageErrors: ReadonlyArray<readonly [string, unknown, string]> = [
    [
      "a pattern EventBridge would refuse",
      { expectEvent: { pattern: { "detail-type": "ECR Image Scan" } } },
      "steps[1].expectEvent.pattern: Event pattern: \"detail-type\" must be an array of values or matchers"
    ],
    [
      "a pattern in a repeat",
      { repeat: 2, steps: [{ expectEvent: { pattern: { detail: { "image-tag": [{ prefix: 1 }] } } } }] },
      "steps[1].steps[0].expectEvent.pattern: Event pattern: "
    ],
    ["a negative count", { expectEvent: { pattern: SCAN, count: -1 } }, "is not a valid scenario:"],
    ["an unknown member", { expectEvent: { pattern: SCAN, times: 2 } }, "is not a valid scenario:"],
    ["a window that does not exist", { expectEvent: { pattern: SCAN, since: "yesterday" } }, "is not a valid scenario:"]
  ]
  for (const [what, step, message] of usageErrors) {
    it(`refuses ${what} before anything runs: exit 252 and a clear message`, async () => {
      const path = await file(
        `bad-${what.replaceAll(" ", "-")}.json`,
        scenario([
          { createRepository: { name: "shop/api" } },
          step
        ])
      )
      const finished = await ecrScan(["simulate", path])
      expect(finished).toMatchObject({ code: 252, stdout: "" })
      expect(finished.stderr).toContain(`ecr-scan: error: scenario ${path} is not a valid scenario`)
      expect(finished.stderr).toContain(message)
      expectNoTrace(finished.stderr)
    })
  }
})
