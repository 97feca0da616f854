/**
 * The conformance cases of scanning accepted: StartImageScan by digest and by tag, the 24 hour rule, scan on
 * push, and the ImageScanComplete waiter.
 */
import { expect } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fixtures from "../Fixtures.js"
import { COMPLETE, perImageLimit, UNSUPPORTED_IMAGE_ERROR } from "./Expected.js"
import { type Case, Harness } from "./Harness.js"
import { findings, push, refusal, repositoryWithImage, scan, waitForComplete } from "./Steps.js"

/** Scans started, the 24 hour rule, scan on push, and the waiter. */
export const scanCases = {
  // --- StartImageScan accepted -----------------------------------------------------------------------------
  "start-by-digest": {
    title: "StartImageScan by digest answers IN_PROGRESS and echoes only the digest",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("by-digest")
      expect(yield* scan(repositoryName, { imageDigest: digest })).toStrictEqual({
        registryId: (yield* Harness).accountId,
        repositoryName,
        imageId: { imageDigest: digest },
        imageScanStatus: { status: "IN_PROGRESS" }
      })
    })
  },
  "start-by-tag": {
    title: "StartImageScan by tag answers IN_PROGRESS and echoes the tag sent, with the digest it names",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("by-tag")
      // A second tag on the same image, added later: the echo is the tag that was sent, not the newest.
      yield* push(repositoryName, Fixtures.image(repositoryName), "v2")
      expect(yield* scan(repositoryName, { imageTag: "v1" })).toStrictEqual({
        registryId: (yield* Harness).accountId,
        repositoryName,
        imageId: { imageDigest: digest, imageTag: "v1" },
        imageScanStatus: { status: "IN_PROGRESS" }
      })
    })
  },
  "scan-in-progress": {
    title: "a scan just started is reported IN_PROGRESS, without findings",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("in-progress")
      yield* scan(repositoryName, { imageDigest: digest })
      const response = yield* findings(repositoryName, { imageDigest: digest })
      expect(response.imageScanStatus?.status).toBe("IN_PROGRESS")
      expect(response.imageScanFindings?.findings ?? []).toStrictEqual([])
    })
  },

  // --- The 24 hour rule -----------------------------------------------------------------------------------
  "window-refuses": {
    title:
      "a second scan of an image within 24 hours is refused with LimitExceededException in AWS's words, by digest or by any of its tags",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("window")
      yield* push(repositoryName, Fixtures.image(repositoryName), "v2")
      yield* scan(repositoryName, { imageTag: "v1" })
      for (const imageId of [{ imageDigest: digest }, { imageTag: "v1" }, { imageTag: "v2" }]) {
        expect(yield* refusal(scan(repositoryName, imageId))).toMatchObject(perImageLimit)
      }
    })
  },
  "window-reopens": {
    title: "a scan is accepted again 24 hours after the last one started, and not a second earlier",
    needs: ["virtualTime"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digest, repositoryName } = yield* repositoryWithImage("window-reopens")
      yield* scan(repositoryName, { imageDigest: digest })
      yield* harness.advance(Duration.sum(Duration.hours(23), Duration.seconds(3599)))
      expect(yield* refusal(scan(repositoryName, { imageDigest: digest }))).toMatchObject(perImageLimit)
      yield* harness.advance(Duration.seconds(1))
      expect((yield* scan(repositoryName, { imageDigest: digest })).imageScanStatus).toStrictEqual({
        status: "IN_PROGRESS"
      })
    })
  },

  // --- Scan on push ---------------------------------------------------------------------------------------
  "scan-on-push-starts": {
    title: "a push into a scanOnPush repository starts a scan of the image, which completes",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("on-push", { scanOnPush: true })
      const response = yield* waitForComplete(repositoryName, { imageDigest: digest }, 10)
      expect(response.imageScanStatus).toStrictEqual(COMPLETE)
    })
  },
  "scan-on-push-uses-slot": {
    title: "a manual scan right after a scan on push is refused with LimitExceededException",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("on-push-slot", { scanOnPush: true })
      expect(yield* refusal(scan(repositoryName, { imageDigest: digest }))).toMatchObject(perImageLimit)
    })
  },

  // --- The waiter -----------------------------------------------------------------------------------------
  "waiter-complete": {
    title: "waitForImageScanComplete answers the first page of findings once the scan is COMPLETE",
    run: Effect.gen(function*() {
      const { digest, repositoryName } = yield* repositoryWithImage("waiter")
      yield* scan(repositoryName, { imageDigest: digest })
      const response = yield* waitForComplete(repositoryName, { imageDigest: digest })
      expect(response.repositoryName).toBe(repositoryName)
      expect(response.imageScanStatus).toStrictEqual(COMPLETE)
      expect(response.imageScanFindings?.imageScanCompletedAt).toBeInstanceOf(Date)
    })
  },
  "waiter-failed": {
    title: "waitForImageScanComplete fails with ImageScanFailed, carrying AWS's description, when the scan ends FAILED",
    needs: ["outcome"],
    run: Effect.gen(function*() {
      const harness = yield* Harness
      const { digest, repositoryName } = yield* repositoryWithImage("waiter-failed")
      yield* harness.setOutcome({ repositoryName, imageDigest: digest }, "FAILED")
      yield* scan(repositoryName, { imageDigest: digest })
      const error = yield* Effect.flip(waitForComplete(repositoryName, { imageDigest: digest }))
      expect(error._tag).toBe("ImageScanFailed")
      if (error._tag !== "ImageScanFailed") return
      expect(error.description).toBe(UNSUPPORTED_IMAGE_ERROR)
      expect(error.response.imageScanStatus).toStrictEqual({ status: "FAILED", description: UNSUPPORTED_IMAGE_ERROR })
      expect(error.response.imageScanFindings?.findings ?? []).toStrictEqual([])
    })
  }
} satisfies { readonly [id: string]: Case }
