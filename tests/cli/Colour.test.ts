/**
 * Colours only where they belong: @effect/cli styles the help and its usage errors with ANSI codes whatever
 * the stream, and both bins keep them on a terminal only, never under `NO_COLOR` (set and not empty);
 * `FORCE_COLOR` (unless `0` or `false`) keeps them anywhere. A table's colours (colorama's, on a terminal)
 * follow the same rule. In-process where the streams can be told to be terminals; the bins on pipes and on a
 * pseudo-terminal.
 */
import { Stdio } from "@ecr-scan/cli"
import { describe, expect, it } from "vitest"
import { imageManifest } from "../support/emulator.js"
import { run } from "../support/subprocess.js"
import { describeWith } from "../support/tools.js"
import { BIN, cliEnv, ecrScan, ecrScanBin, EMULATOR_BIN, onTerminal, pseudoTerminal, worlds } from "./support.js"

const ESC = "\x1b"
/** How @effect/printer-ansi starts a bold heading. */
const BOLD = `${ESC}[0;1m`
const terminal = { tty: true, width: 100 }
const usageError = ["start-image-scan", "--repository-name", "app", "--image-id", "imageTag=v1", "--bogus", "x"]

describe.concurrent("colours, in-process", () => {
  const { world } = worlds()

  it("--help, a command's --help and a usage error, to a pipe: no escape byte", async () => {
    const [help, commandHelp, usage] = await Promise.all([
      ecrScan(["--help"]),
      ecrScan(["describe-images", "--help"]),
      ecrScan(usageError)
    ])
    expect(help).toMatchObject({ code: 0, stderr: "" })
    expect(help.stdout).toContain("COMMANDS")
    expect(commandHelp).toMatchObject({ code: 0, stderr: "" })
    expect(commandHelp.stdout).toContain("--repository-name")
    expect(usage.code).toBe(252)
    expect(usage.stderr).toContain("Received unknown argument: '--bogus'")
    for (const finished of [help, commandHelp, usage]) expect(finished.stdout + finished.stderr).not.toContain(ESC)
  })

  it("--help on a terminal, styled; under NO_COLOR, the same text unstyled; FORCE_COLOR styles a pipe", async () => {
    const [styled, noColor, emptyNoColor, forced, forcedOff] = await Promise.all([
      ecrScan(["--help"], { stdout: terminal }),
      ecrScan(["--help"], { stdout: terminal, env: cliEnv({ NO_COLOR: "1" }) }),
      ecrScan(["--help"], { stdout: terminal, env: cliEnv({ NO_COLOR: "" }) }),
      ecrScan(["--help"], { env: cliEnv({ FORCE_COLOR: "1" }) }),
      ecrScan(["--help"], { stdout: terminal, env: cliEnv({ FORCE_COLOR: "0" }) })
    ])
    expect(styled.stdout).toContain(`${BOLD}USAGE`)
    expect(noColor.stdout).not.toContain(ESC)
    expect(Stdio.uncoloured(styled.stdout)).toBe(noColor.stdout)
    // An empty NO_COLOR says nothing.
    expect(emptyNoColor.stdout).toBe(styled.stdout)
    expect(forced.stdout).toBe(styled.stdout)
    expect(forcedOff.stdout).toBe(noColor.stdout)
  })

  it("a table on a terminal under NO_COLOR: the table laid out for the terminal, without colorama's codes", async () => {
    const w = await world()
    await w.given("colour/app", [imageManifest(1)])
    const args = [
      "describe-images",
      "--repository-name",
      "colour/app",
      "--output",
      "table",
      "--endpoint-url",
      w.endpoint
    ]
    const [coloured, plain, pipe] = await Promise.all([
      ecrScan(args, { stdout: { tty: true, width: 80 } }),
      ecrScan(args, { stdout: { tty: true, width: 80 }, env: cliEnv({ NO_COLOR: "1" }) }),
      ecrScan(args)
    ])
    expect(coloured).toMatchObject({ code: 0, stderr: "" })
    expect(coloured.stdout).toContain(ESC)
    expect(plain).toMatchObject({ code: 0, stderr: "", stdout: pipe.stdout })
    expect(plain.stdout).not.toContain(ESC)
    expect(Stdio.uncoloured(coloured.stdout)).toBe(plain.stdout)
  })
})

describe.concurrent("colours, the bins on pipes", () => {
  it("ecr-scan --help and a usage error: no escape byte", async () => {
    const [help, usage] = await Promise.all([ecrScanBin(["--help"]), ecrScanBin(usageError)])
    expect(help).toMatchObject({ code: 0, stderr: "" })
    expect(usage.code).toBe(252)
    expect(help.stdout + usage.stderr).not.toContain(ESC)
  })

  it("ecr-scan-emulator --help and a usage error: no escape byte", async () => {
    const [help, usage] = await Promise.all([
      run(process.execPath, [EMULATOR_BIN, "--help"], { env: cliEnv() }),
      run(process.execPath, [EMULATOR_BIN, "--port", "many"], { env: cliEnv() })
    ])
    expect(help).toMatchObject({ code: 0, stderr: "" })
    expect(help.stdout).toContain("--port")
    expect(usage.code).toBe(1)
    expect(usage.stderr).not.toBe("")
    expect(help.stdout + usage.stderr).not.toContain(ESC)
  })
})

describeWith(pseudoTerminal(), "colours, the bins on a terminal", () => {
  it.concurrent("styled, and not under NO_COLOR", async () => {
    const [styled, noColor, emulatorStyled, emulatorNoColor] = await Promise.all([
      onTerminal(100, process.execPath, [BIN, "--help"], cliEnv()),
      onTerminal(100, process.execPath, [BIN, "--help"], cliEnv({ NO_COLOR: "1" })),
      onTerminal(100, process.execPath, [EMULATOR_BIN, "--help"], cliEnv()),
      onTerminal(100, process.execPath, [EMULATOR_BIN, "--help"], cliEnv({ NO_COLOR: "1" }))
    ])
    for (const finished of [styled, noColor, emulatorStyled, emulatorNoColor]) expect(finished.code).toBe(0)
    expect(styled.stdout).toContain(`${BOLD}USAGE`)
    expect(noColor.stdout).toContain("COMMANDS")
    expect(noColor.stdout).not.toContain(ESC)
    expect(emulatorStyled.stdout).toContain(`${BOLD}USAGE`)
    expect(emulatorNoColor.stdout).toContain("--port")
    expect(emulatorNoColor.stdout).not.toContain(ESC)
  })
})
