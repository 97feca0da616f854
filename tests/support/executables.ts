/**
 * Where a command really lives. On a machine whose Python tools are pyenv shims, each shim is a bash
 * script that runs `pyenv exec`, about half a second of CPU per process before the client even
 * starts; the interop suites start dozens. `pyenv which` names the executable the shim would run (the
 * same one, for the same version), so the suites run it directly. Without pyenv, the name is kept.
 */
import { spawnSync } from "node:child_process"

const memo = new Map<string, string>()

/** The executable `command` resolves to through pyenv, or `command` itself. */
export const unshimmed = (command: string): string => {
  const known = memo.get(command)
  if (known !== undefined) return known
  let resolved = command
  if (!command.includes("/")) {
    const which = spawnSync("pyenv", ["which", command], { encoding: "utf8", timeout: 10_000 })
    const path = which.status === 0 ? which.stdout.trim() : ""
    if (path !== "" && !path.includes("\n")) resolved = path
  }
  memo.set(command, resolved)
  return resolved
}
