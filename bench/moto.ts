/**
 * Runs `moto_start_image_scan.py` (moto in-process, boto3, the admit workload) with the machine's
 * `python3` and reads the calls/s it prints.
 *
 * @since 0.1.0
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"

/** What the Python script reports. */
export interface MotoResult {
  readonly calls: number
  readonly seconds: number
  readonly calls_per_s: number
  readonly put_image_seconds: number
  readonly images: number
  readonly moto: string
  readonly boto3: string
  readonly python: string
}

// bench/dist/moto.js -> bench/moto_start_image_scan.py
const script = fileURLToPath(new URL("../moto_start_image_scan.py", import.meta.url))

/** Runs the script; fails if it does not finish within `timeoutMillis` or prints no figure. */
export const runMoto = (images: number, timeoutMillis: number): Promise<MotoResult> =>
  new Promise((resolve, reject) => {
    execFile(
      "python3",
      [script, "--images", String(images), "--max-seconds", String(Math.floor(timeoutMillis / 2000))],
      { timeout: timeoutMillis, maxBuffer: 1 << 20, env: { ...process.env, PYTHONWARNINGS: "ignore" } },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`moto benchmark failed: ${error.message}\n${stderr}`))
          return
        }
        const line = stdout.trim().split("\n").pop() ?? ""
        try {
          resolve(JSON.parse(line) as MotoResult)
        } catch {
          reject(new Error(`moto benchmark printed no JSON: ${stdout}\n${stderr}`))
        }
      }
    )
  })
