import { EventPattern } from "@ecr-scan/core"
import { Either } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

/** Parses a pattern (failing the test with the refusal if it is refused) and matches `event` against it. */
const test = (pattern: unknown, event: unknown): boolean => {
  const parsed = EventPattern.parse(pattern)
  if (Either.isLeft(parsed)) throw new Error(parsed.left)
  return EventPattern.matches(parsed.right, event)
}

const refusal = (pattern: unknown): string => {
  const parsed = EventPattern.parse(pattern)
  if (Either.isRight(parsed)) throw new Error(`accepted: ${JSON.stringify(pattern)}`)
  return parsed.left
}

// User Guide, "Amazon EventBridge event patterns" (eb-event-patterns).
const ec2Event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" }
}

// User Guide, "Matching null values and empty strings" and "Example events and event patterns: Field matching".
const autoscalingEvent = {
  version: "0",
  id: "3e3c153a-8339-4e30-8c35-687ebef853fe",
  "detail-type": "EC2 Instance Launch Successful",
  source: "aws.autoscaling",
  account: "123456789012",
  time: "2015-11-11T21:31:47Z",
  region: "us-east-1",
  resources: [],
  detail: { eventVersion: "", responseElements: null }
}

// Event Ruler README, "Ruler by Example" (the event the content-filtering examples of the User Guide are about).
const rulerEvent = {
  version: "0",
  id: "ddddd4-aaaa-7777-4444-345dd43cc333",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "012345679012",
  time: "2017-10-02T16:24:49Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
  detail: {
    "c-count": 5,
    "d-count": 3,
    "x-limit": 301.8,
    "source-ip": "10.0.0.33",
    "instance-id": "i-000000aaaaaa00000",
    state: "running"
  }
}

const withDetail = (detail: Record<string, unknown>) => ({ ...rulerEvent, detail: { ...rulerEvent.detail, ...detail } })

// The ECR Image Scan event of the ECR User Guide ("Amazon ECR events and EventBridge").
const scanEvent = {
  version: "0",
  id: "85fc3613-e913-7fc4-a80c-a3753e4aa9ae",
  "detail-type": "ECR Image Scan",
  source: "aws.ecr",
  account: "123456789012",
  time: "2019-10-29T02:36:48Z",
  region: "us-east-1",
  resources: ["arn:aws:ecr:us-east-1:123456789012:repository/my-repo"],
  detail: {
    "scan-status": "COMPLETE",
    "repository-name": "my-repo",
    "finding-severity-counts": { CRITICAL: 10, MEDIUM: 9 },
    "image-digest": "sha256:7f5b2640fca3d1a8ad9bb9a7e6bfcd3bc5bd1b4f1e4b0b4a6a0b1d1c7e2b1234",
    "image-tags": []
  }
}

const scanWith = (detail: Record<string, unknown>) => ({ ...scanEvent, detail: { ...scanEvent.detail, ...detail } })

describe("EventPattern", () => {
  describe("User Guide: Amazon EventBridge event patterns", () => {
    const terminated = {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: ["terminated"] }
    }

    it("the instance-termination pattern matches the EC2 event, and not one in another state", () => {
      expect(test(terminated, ec2Event)).toBe(true)
      expect(test(terminated, { ...ec2Event, detail: { ...ec2Event.detail, state: "running" } })).toBe(false)
    })

    it("Create event patterns: the event must contain every field of the pattern, at the same nesting", () => {
      expect(test({ ...terminated, detail: { state: ["terminated"], "instance-type": ["t3.micro"] } }, ec2Event)).toBe(
        false
      )
      expect(test({ state: ["terminated"] }, ec2Event)).toBe(false)
    })

    it("Match values: [\"aws.ec2\", \"aws.fargate\"] matches either source and no other", () => {
      const pattern = { source: ["aws.ec2", "aws.fargate"] }
      expect(test(pattern, ec2Event)).toBe(true)
      expect(test(pattern, { ...ec2Event, source: "aws.fargate" })).toBe(true)
      expect(test(pattern, { ...ec2Event, source: "aws.s3" })).toBe(false)
    })

    it("Field matching: responseElements [null] matches the Auto Scaling event", () => {
      const pattern = {
        source: ["aws.autoscaling"],
        "detail-type": ["EC2 Instance Launch Successful"],
        detail: { responseElements: [null] }
      }
      expect(test(pattern, autoscalingEvent)).toBe(true)
      expect(test(pattern, { ...autoscalingEvent, detail: { responseElements: {} } })).toBe(false)
    })

    it("Value matching: a risk score of 80 and a trigger risk of 8 (Macie alert)", () => {
      const macie = {
        "detail-type": "Macie Alert",
        source: "aws.macie",
        detail: {
          "notification-type": "ALERT_CREATED",
          tags: ["Custom_Alert", "Insider"],
          "risk-score": 80,
          trigger: { "alert-type": "basic", risk: 8 }
        }
      }
      const pattern = {
        source: ["aws.macie"],
        "detail-type": ["Macie Alert"],
        detail: { "risk-score": [80], trigger: { risk: [8] } }
      }
      expect(test(pattern, macie)).toBe(true)
      expect(test(pattern, { ...macie, detail: { ...macie.detail, trigger: { risk: 7 } } })).toBe(false)
      expect(test(pattern, { ...macie, detail: { ...macie.detail, "risk-score": "80" } })).toBe(false)
    })
  })

  describe("User Guide: Arrays in event patterns", () => {
    const pattern = {
      resources: [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"
      ]
    }

    it("matches when the pattern's array and the event's array intersect", () => {
      const resources = [
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"
      ]
      expect(test(pattern, { resources })).toBe(true)
      expect(test(pattern, { resources: [resources[0]] })).toBe(false)
      expect(test(pattern, { resources: [] })).toBe(false)
    })
  })

  describe("User Guide: Matching null values and empty strings", () => {
    it("eventVersion [\"\"] matches the empty string, responseElements [null] matches null", () => {
      expect(test({ detail: { eventVersion: [""] } }, autoscalingEvent)).toBe(true)
      expect(test({ detail: { responseElements: [null] } }, autoscalingEvent)).toBe(true)
    })

    it("null values and empty strings are not interchangeable, and null does not match an absent field", () => {
      expect(test({ detail: { eventVersion: [null] } }, autoscalingEvent)).toBe(false)
      expect(test({ detail: { responseElements: [""] } }, autoscalingEvent)).toBe(false)
      expect(test({ detail: { missing: [null] } }, autoscalingEvent)).toBe(false)
    })
  })

  describe("User Guide: Comparison operators (content filtering)", () => {
    it("Prefix matching: \"time\" starting with 2017-10-02", () => {
      const pattern = { time: [{ prefix: "2017-10-02" }] }
      expect(test(pattern, { time: "2017-10-02T18:43:48Z" })).toBe(true)
      expect(test(pattern, { time: "2017-10-03T18:43:48Z" })).toBe(false)
      expect(test({ n: [{ prefix: "12" }] }, { n: 123 })).toBe(false)
    })

    it("Prefix matching while ignoring case: service starting with EventB in any case", () => {
      const pattern = { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } }
      for (const service of ["EventBridge", "eventbridge", "EVENTBRIDGE"]) {
        expect(test(pattern, { detail: { service } })).toBe(true)
      }
      expect(test(pattern, { detail: { service: "Events" } })).toBe(false)
      expect(test({ detail: { service: [{ prefix: "EventB" }] } }, { detail: { service: "eventbridge" } })).toBe(false)
    })

    it("Suffix matching: FileName ending in .png, case-sensitive unless equals-ignore-case", () => {
      expect(test({ FileName: [{ suffix: ".png" }] }, { FileName: "photo.png" })).toBe(true)
      expect(test({ FileName: [{ suffix: ".png" }] }, { FileName: "photo.PNG" })).toBe(false)
      const ignoringCase = { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } }
      expect(test(ignoringCase, { detail: { FileName: "photo.PNG" } })).toBe(true)
      expect(test(ignoringCase, { detail: { FileName: "photo.jpg" } })).toBe(false)
    })

    it("Anything-but matching: a string and a number", () => {
      const state = { detail: { state: [{ "anything-but": "initializing" }] } }
      expect(test(state, withDetail({ state: "running" }))).toBe(true)
      expect(test(state, withDetail({ state: "initializing" }))).toBe(false)
      expect(test(state, { detail: {} })).toBe(false)
      const limit = { detail: { "x-limit": [{ "anything-but": 123 }] } }
      expect(test(limit, withDetail({ "x-limit": 124 }))).toBe(true)
      expect(test(limit, withDetail({ "x-limit": 123 }))).toBe(false)
      expect(test(limit, withDetail({ "x-limit": JSON.parse("123.0") }))).toBe(false)
    })

    it("Anything-but matching: a list of strings and a list of numbers", () => {
      const states = { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }
      expect(test(states, withDetail({ state: "running" }))).toBe(true)
      expect(test(states, withDetail({ state: "overloaded" }))).toBe(false)
      const limits = { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }
      expect(test(limits, withDetail({ "x-limit": 150 }))).toBe(true)
      expect(test(limits, withDetail({ "x-limit": 200 }))).toBe(false)
    })

    it("Anything-but (begins with / ends with): not prefixed with init, not suffixed with .png", () => {
      const prefix = { detail: { state: [{ "anything-but": { prefix: "init" } }] } }
      expect(test(prefix, withDetail({ state: "running" }))).toBe(true)
      expect(test(prefix, withDetail({ state: "initializing" }))).toBe(false)
      const suffix = { FileName: [{ "anything-but": { suffix: ".png" } }] }
      expect(test(suffix, { FileName: "photo.jpg" })).toBe(true)
      expect(test(suffix, { FileName: "photo.png" })).toBe(false)
    })

    it("Anything-but (ignore case): a value and a list", () => {
      const one = { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] }
      expect(test(one, { state: "INITIALIZING" })).toBe(false)
      expect(test(one, { state: "running" })).toBe(true)
      const list = { state: [{ "anything-but": { "equals-ignore-case": ["initializing", "stopped"] } }] }
      expect(test(list, { state: "Stopped" })).toBe(false)
      expect(test(list, { state: "running" })).toBe(true)
    })

    it("Anything-but using a wildcard: FilePath not including /lib/", () => {
      const pattern = { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }
      expect(test(pattern, { FilePath: "/usr/lib/libc.so" })).toBe(false)
      expect(test(pattern, { FilePath: "/usr/bin/env" })).toBe(true)
      const list = { FilePath: [{ "anything-but": { wildcard: ["*/lib/*", "*/bin/*"] } }] }
      expect(test(list, { FilePath: "/usr/bin/env" })).toBe(false)
      expect(test(list, { FilePath: "/etc/hosts" })).toBe(true)
    })

    it("Equals (ignore case): Name is \"alice\" in any case", () => {
      const pattern = { Name: [{ "equals-ignore-case": "alice" }] }
      expect(test(pattern, { Name: "Alice" })).toBe(true)
      expect(test(pattern, { Name: "ALICE" })).toBe(true)
      expect(test(pattern, { Name: "Alicia" })).toBe(false)
    })

    it("Empty: LastName [\"\"] matches only an empty string", () => {
      expect(test({ LastName: [""] }, { LastName: "" })).toBe(true)
      expect(test({ LastName: [""] }, { LastName: "Doe" })).toBe(false)
    })

    it("Numeric matching: c-count in (0, 5], d-count below 10, x-limit = 3.018e2", () => {
      const pattern = {
        detail: {
          "c-count": [{ numeric: [">", 0, "<=", 5] }],
          "d-count": [{ numeric: ["<", 10] }],
          "x-limit": [{ numeric: ["=", 3.018e2] }]
        }
      }
      expect(test(pattern, rulerEvent)).toBe(true)
      expect(test(pattern, withDetail({ "c-count": 0 }))).toBe(false)
      expect(test(pattern, withDetail({ "c-count": 6 }))).toBe(false)
      expect(test(pattern, withDetail({ "d-count": 10 }))).toBe(false)
      expect(test(pattern, withDetail({ "x-limit": 301.9 }))).toBe(false)
      expect(test(pattern, withDetail({ "c-count": "5" }))).toBe(false)
    })

    it("Numeric matching is limited to -5.0e9..5.0e9", () => {
      expect(test({ n: [{ numeric: [">", 0] }] }, { n: 5.0e9 })).toBe(true)
      expect(test({ n: [{ numeric: [">", 0] }] }, { n: 5.0e9 + 1 })).toBe(false)
    })

    it("IP address matching: IPv4 10.0.0.0/24 and an IPv6 block", () => {
      const v4 = { detail: { "source-ip": [{ cidr: "10.0.0.0/24" }] } }
      expect(test(v4, rulerEvent)).toBe(true)
      expect(test(v4, withDetail({ "source-ip": "10.0.1.33" }))).toBe(false)
      expect(test(v4, withDetail({ "source-ip": "not an address" }))).toBe(false)
      const v6 = { sourceIPAddress: [{ cidr: "2001:db8::/32" }] }
      expect(test(v6, { sourceIPAddress: "2001:db8::ff00:42:8329" })).toBe(true)
      expect(test(v6, { sourceIPAddress: "2001:0DB8:0000:0000:0000:0000:0000:0001" })).toBe(true)
      expect(test(v6, { sourceIPAddress: "2001:db9::1" })).toBe(false)
      expect(test(v6, { sourceIPAddress: "10.0.0.33" })).toBe(false)
      expect(test({ ip: [{ cidr: "::ffff:10.0.0.0/120" }] }, { ip: "::ffff:10.0.0.7" })).toBe(true)
    })

    it("Exists matching: exists false matches an absent field, and one that is not a leaf", () => {
      const pattern = { detail: { "c-count": [{ exists: false }] } }
      const absent = {
        "detail-type": ["EC2 Instance State-change Notification"],
        resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
        detail: { state: ["initializing", "running"] }
      }
      expect(test(pattern, absent)).toBe(true)
      expect(test(pattern, { ...absent, detail: { ...absent.detail, "c-count": { c1: 100 } } })).toBe(true)
      expect(test(pattern, rulerEvent)).toBe(false)
    })

    it("Exists matching: exists true matches a leaf value, null included, and not an object or an absent field", () => {
      const pattern = { detail: { "c-count": [{ exists: true }] } }
      expect(test(pattern, rulerEvent)).toBe(true)
      expect(test(pattern, { detail: { "c-count": null } })).toBe(true)
      expect(test(pattern, { detail: { "c-count": { c1: 100 } } })).toBe(false)
      expect(test(pattern, { detail: {} })).toBe(false)
    })

    it("Complex example with multiple matching", () => {
      const pattern = {
        time: [{ prefix: "2017-10-02" }],
        detail: {
          state: [{ "anything-but": "initializing" }],
          "c-count": [{ numeric: [">", 0, "<=", 5] }],
          "d-count": [{ numeric: ["<", 10] }],
          "x-limit": [{ "anything-but": [100, 200, 300] }],
          "source-ip": [{ cidr: "10.0.0.0/8" }]
        }
      }
      expect(test(pattern, rulerEvent)).toBe(true)
      expect(test(pattern, withDetail({ state: "initializing" }))).toBe(false)
      expect(test(pattern, withDetail({ "x-limit": 300 }))).toBe(false)
      expect(test(pattern, { ...rulerEvent, time: "2017-10-03T00:00:00Z" })).toBe(false)
    })
  })

  describe("Wildcard matching (AWS Compute Blog, wildcard filters; Event Ruler README)", () => {
    it("* matches zero, one or many characters", () => {
      expect(test({ key: [{ wildcard: "*.png" }] }, { key: "a/b.png" })).toBe(true)
      expect(test({ key: [{ wildcard: "*.png" }] }, { key: ".png" })).toBe(true)
      expect(test({ key: [{ wildcard: "*.png" }] }, { key: "a.png.txt" })).toBe(false)
      expect(test({ key: [{ wildcard: "*Title*" }] }, { key: "MainTitleBar" })).toBe(true)
      expect(test({ key: [{ wildcard: "*Title*" }] }, { key: "title" })).toBe(false)
      expect(test({ source: [{ wildcard: "Simple*Service" }] }, { source: "Simple Queue Service" })).toBe(true)
      expect(test({ source: [{ wildcard: "Simple*Service" }] }, { source: "SimpleService" })).toBe(true)
      expect(test({ source: [{ wildcard: "a*b*a" }] }, { source: "aba" })).toBe(true)
      expect(test({ source: [{ wildcard: "a*b*a" }] }, { source: "aa" })).toBe(false)
      expect(test({ source: [{ wildcard: "ab*ba" }] }, { source: "aba" })).toBe(false)
      expect(test({ source: [{ wildcard: "*ab*b" }] }, { source: "ab" })).toBe(false)
      expect(test({ source: [{ wildcard: "*ab*b" }] }, { source: "xabb" })).toBe(true)
    })

    it("\\* is a literal asterisk and \\\\ a literal backslash", () => {
      expect(test({ key: [{ wildcard: "a\\*b" }] }, { key: "a*b" })).toBe(true)
      expect(test({ key: [{ wildcard: "a\\*b" }] }, { key: "axb" })).toBe(false)
      expect(test({ key: [{ wildcard: "c:\\\\*" }] }, { key: "c:\\temp" })).toBe(true)
    })
  })

  describe("$or (User Guide: Comparison operators, Or (multiple fields); Event Ruler README)", () => {
    it("source AND (metricName OR namespace)", () => {
      const pattern = {
        source: ["aws.cloudwatch"],
        $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }]
      }
      expect(test(pattern, { source: "aws.cloudwatch", metricName: "ReadLatency" })).toBe(true)
      expect(test(pattern, { source: "aws.cloudwatch", namespace: "AWS/ES" })).toBe(true)
      expect(test(pattern, { source: "aws.cloudwatch", namespace: "AWS/S3" })).toBe(false)
      expect(test(pattern, { source: "aws.ec2", metricName: "ReadLatency" })).toBe(false)
    })

    it("an $or inside detail, with an AND and a nested $or in one alternative", () => {
      const pattern = {
        detail: {
          $or: [
            { "c-count": [{ numeric: [">", 0, "<=", 5] }] },
            { "d-count": [{ numeric: ["<", 10] }], $or: [{ state: ["running"] }, { state: ["stopped"] }] }
          ]
        }
      }
      expect(test(pattern, { detail: { "c-count": 3 } })).toBe(true)
      expect(test(pattern, { detail: { "c-count": 9, "d-count": 2, state: "stopped" } })).toBe(true)
      expect(test(pattern, { detail: { "c-count": 9, "d-count": 2, state: "pending" } })).toBe(false)
      expect(test(pattern, { "c-count": 3 })).toBe(false)
    })
  })

  describe("matching rules beyond the examples", () => {
    it("numbers compare by value: 300, 300.0 and 3.0e2 are one number once parsed; \"300\" is a string", () => {
      for (const text of ["300", "300.0", "3.0e2"]) {
        expect(test({ n: [300] }, JSON.parse(`{ "n": ${text} }`))).toBe(true)
      }
      expect(test({ n: [300] }, { n: "300" })).toBe(false)
      expect(test({ n: ["300"] }, { n: 300 })).toBe(false)
    })

    it("booleans are typed: true matches true, not \"true\"", () => {
      expect(test({ flag: [true] }, { flag: true })).toBe(true)
      expect(test({ flag: [true] }, { flag: "true" })).toBe(false)
      expect(test({ flag: [false] }, { flag: true })).toBe(false)
    })

    it("a nested pattern against an array of objects needs one element to match all its fields", () => {
      const event = { employees: [{ firstName: "John", lastName: "Doe" }, { firstName: "Anna", lastName: "Smith" }] }
      expect(test({ employees: { firstName: ["Anna"] } }, event)).toBe(true)
      expect(test({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event)).toBe(true)
      expect(test({ employees: { firstName: ["Anna"], lastName: ["Doe"] } }, event)).toBe(false)
    })

    it("several matchers in one array are ORed, exists included", () => {
      const pattern = { state: ["running", { exists: false }] }
      expect(test(pattern, { state: "running" })).toBe(true)
      expect(test(pattern, {})).toBe(true)
      expect(test(pattern, { state: "stopped" })).toBe(false)
    })

    it("a value that is not an object is an event without fields", () => {
      expect(test({ source: ["aws.ecr"] }, "aws.ecr")).toBe(false)
      expect(test({ source: [{ exists: false }] }, null)).toBe(true)
    })

    it("property: a value, its prefixes, its suffixes and a wildcard of it match; anything-but it does not", () => {
      fc.assert(
        fc.property(fc.string(), fc.nat(), (s, cut) => {
          const at = s.length === 0 ? 0 : cut % (s.length + 1)
          const escaped = (t: string) => t.replace(/[\\*]/g, (c) => `\\${c}`)
          expect(test({ f: [s] }, { f: s })).toBe(true)
          expect(test({ f: [s] }, { f: ["other", s] })).toBe(true)
          expect(test({ f: [{ prefix: s.slice(0, at) }] }, { f: s })).toBe(true)
          expect(test({ f: [{ suffix: s.slice(at) }] }, { f: s })).toBe(true)
          expect(test({ f: [{ wildcard: `${escaped(s.slice(0, at))}*${escaped(s.slice(at))}` }] }, { f: s })).toBe(true)
          expect(test({ f: [{ wildcard: escaped(s) }] }, { f: s })).toBe(true)
          expect(test({ f: [{ "anything-but": s }] }, { f: s })).toBe(false)
          expect(test({ f: [{ "equals-ignore-case": s.toUpperCase() }] }, { f: s.toLowerCase() })).toBe(
            s.toUpperCase().toLowerCase() === s.toLowerCase()
          )
        })
      )
    })
  })

  describe("ECR events", () => {
    const scanComplete = {
      source: ["aws.ecr"],
      "detail-type": ["ECR Image Scan"],
      detail: { "repository-name": ["my-repo"], "scan-status": ["COMPLETE"] }
    }

    it("a completed scan of my-repo matches; another repository, status or detail-type does not", () => {
      expect(test(scanComplete, scanEvent)).toBe(true)
      expect(test(scanComplete, scanWith({ "repository-name": "other-repo" }))).toBe(false)
      expect(test(scanComplete, scanWith({ "scan-status": "FAILED" }))).toBe(false)
      expect(test(scanComplete, { ...scanEvent, "detail-type": "ECR Image Action" })).toBe(false)
      expect(test(scanComplete, { ...scanEvent, source: "aws.inspector2" })).toBe(false)
    })

    it("critical findings: detail.finding-severity-counts.CRITICAL > 0", () => {
      const critical = { ...scanComplete, detail: { "finding-severity-counts": { CRITICAL: [{ numeric: [">", 0] }] } } }
      expect(test(critical, scanEvent)).toBe(true)
      expect(test(critical, scanWith({ "finding-severity-counts": { CRITICAL: 0, MEDIUM: 9 } }))).toBe(false)
      expect(test(critical, scanWith({ "finding-severity-counts": { MEDIUM: 9 } }))).toBe(false)
      expect(test(critical, scanWith({ "finding-severity-counts": {} }))).toBe(false)
    })

    it("no critical findings: CRITICAL absent (counts of zero are omitted) or zero", () => {
      const clean = { detail: { "finding-severity-counts": { CRITICAL: [{ exists: false }, 0] } } }
      expect(test(clean, scanWith({ "finding-severity-counts": { MEDIUM: 9 } }))).toBe(true)
      expect(test(clean, scanWith({ "finding-severity-counts": { CRITICAL: 0 } }))).toBe(true)
      expect(test(clean, scanEvent)).toBe(false)
    })

    it("image-tags [] is no value: exists false matches it, exists true and a tag do not", () => {
      expect(test({ detail: { "image-tags": [{ exists: false }] } }, scanEvent)).toBe(true)
      expect(test({ detail: { "image-tags": [{ exists: true }] } }, scanEvent)).toBe(false)
      expect(test({ detail: { "image-tags": ["latest"] } }, scanEvent)).toBe(false)
      expect(test({ detail: { "image-tags": ["latest"] } }, scanWith({ "image-tags": ["v1", "latest"] }))).toBe(true)
    })

    it("prefixes and wildcards on the repository ARN and the digest", () => {
      expect(test({ resources: [{ prefix: "arn:aws:ecr:us-east-1:123456789012:repository/" }] }, scanEvent)).toBe(true)
      expect(test({ resources: [{ wildcard: "arn:aws:ecr:*:*:repository/my-*" }] }, scanEvent)).toBe(true)
      expect(test({ resources: [{ wildcard: "arn:aws:ecr:eu-*:*:repository/*" }] }, scanEvent)).toBe(false)
      expect(test({ detail: { "image-digest": [{ prefix: "sha256:" }] } }, scanEvent)).toBe(true)
      expect(test({ region: [{ "anything-but": { prefix: "us-" } }] }, scanEvent)).toBe(false)
    })

    it("parseJson reads a deployed rule's pattern text", () => {
      const parsed = EventPattern.parseJson(JSON.stringify(scanComplete))
      expect(Either.map(parsed, (p) => EventPattern.matches(p, scanEvent))).toEqual(Either.right(true))
      expect(Either.map(parsed, (p) => p.document)).toEqual(Either.right(scanComplete))
    })
  })

  describe("parse refusals", () => {
    it("a field that is neither an array nor an object", () => {
      expect(refusal({ detail: { "scan-status": "COMPLETE" } })).toBe(
        "Event pattern: \"detail.scan-status\" must be an array of values or matchers"
      )
      expect(refusal({ source: null })).toBe("Event pattern: \"source\" must be an array of values or matchers")
    })

    it("a pattern that is not a JSON object, or empty", () => {
      expect(refusal([])).toBe("Event pattern: the pattern must be a JSON object")
      expect(refusal("aws.ecr")).toBe("Event pattern: the pattern must be a JSON object")
      expect(refusal({})).toBe("Event pattern: the pattern must not be an empty object")
      expect(refusal({ detail: {} })).toBe("Event pattern: \"detail\" must not be an empty object")
    })

    it("empty arrays and values that are not JSON scalars or matchers", () => {
      expect(refusal({ source: [] })).toBe("Event pattern: \"source\" must not be an empty array")
      expect(refusal({ source: [["aws.ecr"]] })).toBe(
        "Event pattern: \"source[0]\" must be a string, a number, a boolean, null or a matcher object"
      )
      expect(refusal({ n: [1, Number.NaN] })).toBe(
        "Event pattern: \"n[1]\" must be a string, a number, a boolean, null or a matcher object"
      )
    })

    it("unknown matchers and matcher objects without exactly one key", () => {
      expect(refusal({ type: [{ contains: "Normal" }] })).toBe(
        "Event pattern: \"type[0]\" has unknown matcher \"contains\"; known: prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, cidr, exists"
      )
      expect(refusal({ type: [{ prefix: "a", suffix: "b" }] })).toBe(
        "Event pattern: \"type[0]\" must have exactly one key (a matcher such as \"prefix\"), found 2"
      )
    })

    it("prefix, suffix, equals-ignore-case and exists take their documented values", () => {
      expect(refusal({ time: [{ prefix: 2017 }] })).toBe(
        "Event pattern: \"time[0].prefix\" must be a string or an object { \"equals-ignore-case\": string }"
      )
      expect(refusal({ f: [{ suffix: { "ignore-case": ".png" } }] })).toBe(
        "Event pattern: \"f[0].suffix\" has unknown key \"ignore-case\"; only \"equals-ignore-case\" is allowed"
      )
      expect(refusal({ f: [{ prefix: { "equals-ignore-case": 1 } }] })).toBe(
        "Event pattern: \"f[0].prefix.equals-ignore-case\" must be a string"
      )
      expect(refusal({ f: [{ "equals-ignore-case": ["a"] }] })).toBe(
        "Event pattern: \"f[0].equals-ignore-case\" must be a string"
      )
      expect(refusal({ f: [{ exists: "yes" }] })).toBe("Event pattern: \"f[0].exists\" must be true or false")
    })

    it("numeric ranges", () => {
      expect(refusal({ n: [{ numeric: 5 }] })).toBe(
        "Event pattern: \"n[0].numeric\" must be an array such as [\">\", 0, \"<=\", 5]"
      )
      expect(refusal({ n: [{ numeric: ["!=", 5] }] })).toBe(
        "Event pattern: \"n[0].numeric[0]\" must be one of \"=\", \">\", \">=\", \"<\", \"<=\""
      )
      expect(refusal({ n: [{ numeric: [">", "5"] }] })).toBe("Event pattern: \"n[0].numeric[1]\" must be a number")
      expect(refusal({ n: [{ numeric: [">", 6e9] }] })).toBe(
        "Event pattern: \"n[0].numeric[1]\" must be between -5.0e9 and 5.0e9, got 6000000000"
      )
      expect(refusal({ n: [{ numeric: [">", 5, "<", 1] }] })).toBe(
        "Event pattern: \"n[0].numeric\" must have its lower bound (5) below its upper bound (1)"
      )
      expect(refusal({ n: [{ numeric: [">", 0, ">", 1] }] })).toBe(
        "Event pattern: \"n[0].numeric[2]\" must be \"<\" or \"<=\" after a lower bound"
      )
      expect(refusal({ n: [{ numeric: ["=", 1, "<", 5] }] })).toBe(
        "Event pattern: \"n[0].numeric\" has 4 elements where 2 were expected"
      )
      expect(refusal({ n: [{ numeric: [">", 0, "<"] }] })).toBe(
        "Event pattern: \"n[0].numeric\" must have 2 or 4 elements, found 3"
      )
    })

    it("anything-but", () => {
      expect(refusal({ s: [{ "anything-but": ["a", 1] }] })).toBe(
        "Event pattern: \"s[0].anything-but\" must list only strings or only numbers"
      )
      expect(refusal({ s: [{ "anything-but": [] }] })).toBe(
        "Event pattern: \"s[0].anything-but\" must not be an empty array"
      )
      expect(refusal({ s: [{ "anything-but": true }] })).toBe(
        "Event pattern: \"s[0].anything-but\" must be a string, a number, an array of strings or of numbers, or an operator object"
      )
      expect(refusal({ s: [{ "anything-but": { numeric: [">", 1] } }] })).toBe(
        "Event pattern: \"s[0].anything-but\" has unknown operator \"numeric\"; anything-but takes prefix, suffix, equals-ignore-case or wildcard"
      )
      expect(refusal({ s: [{ "anything-but": { prefix: "" } }] })).toBe(
        "Event pattern: \"s[0].anything-but.prefix\" must not be an empty string"
      )
      expect(refusal({ s: [{ "anything-but": { "equals-ignore-case": [1] } }] })).toBe(
        "Event pattern: \"s[0].anything-but.equals-ignore-case[0]\" must be a string"
      )
    })

    it("wildcards: no consecutive *, and a backslash escapes only * or \\", () => {
      expect(refusal({ f: [{ wildcard: "a**b" }] })).toBe(
        "Event pattern: \"f[0].wildcard\" must not contain consecutive wildcard characters"
      )
      expect(refusal({ f: [{ wildcard: "a\\b" }] })).toBe(
        "Event pattern: \"f[0].wildcard\" may escape only \"*\" and \"\\\" with a backslash"
      )
      expect(refusal({ f: [{ wildcard: "a\\" }] })).toBe(
        "Event pattern: \"f[0].wildcard\" may escape only \"*\" and \"\\\" with a backslash"
      )
    })

    it("CIDR blocks", () => {
      const refused = ["10.0.0.0/33", "10.0.0.0", "10.0.0.256/8", "host/8", "2001:db8::/129", "1::2::3/64"]
      for (const cidr of [...refused, "1:2:3:4:5:6:7/64", "1.2.3.4::/64"]) {
        expect(refusal({ ip: [{ cidr }] })).toBe(
          `Event pattern: "ip[0].cidr" must be an IPv4 or IPv6 CIDR block such as "10.0.0.0/24" or "2001:db8::/32", got "${cidr}"`
        )
      }
    })

    it("$or: an array of two or more objects, without matcher names as fields", () => {
      expect(refusal({ $or: { a: ["b"] } })).toBe("Event pattern: \"$or\" must be an array of at least two objects")
      expect(refusal({ detail: { $or: [{ a: ["b"] }] } })).toBe(
        "Event pattern: \"detail.$or\" must be an array of at least two objects"
      )
      expect(refusal({ $or: [{ a: ["b"] }, "c"] })).toBe("Event pattern: \"$or[1]\" must be a JSON object")
      expect(refusal({ $or: [{ a: ["b"] }, { prefix: ["c"] }] })).toBe(
        "Event pattern: \"$or[1].prefix\" is a matcher name, which cannot be a field name inside $or"
      )
      expect(refusal({ $or: [{ a: ["b"] }, { c: "d" }] })).toBe(
        "Event pattern: \"$or[1].c\" must be an array of values or matchers"
      )
    })

    it("parseJson refuses text that is not JSON, and unsafeMake throws the refusal", () => {
      const parsed = EventPattern.parseJson("{ \"source\": [\"aws.ecr\"] ")
      expect(Either.isLeft(parsed) && parsed.left.startsWith("Event pattern is not valid JSON: ")).toBe(true)
      expect(EventPattern.parseJson("{ \"source\": \"aws.ecr\" }")).toEqual(
        Either.left("Event pattern: \"source\" must be an array of values or matchers")
      )
      expect(() => EventPattern.unsafeMake({ source: [] })).toThrow(
        "Event pattern: \"source\" must not be an empty array"
      )
      expect(EventPattern.unsafeMake({ source: ["aws.ecr"] }).document).toEqual({ source: ["aws.ecr"] })
    })
  })
})
