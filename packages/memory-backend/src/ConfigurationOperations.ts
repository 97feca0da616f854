/**
 * The memory engine's registry scanning configuration: put and get the registry's scan type and rules (the
 * core's `RegistryScanningRules` check them), and each repository's effective scanning.
 *
 * @since 0.1.0
 */
import {
  type Api,
  Errors,
  RegistryScanningRules,
  RepositoryModel,
  RequestValidators,
  type ScanningConfiguration
} from "@ecr-scan/core"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type { Step } from "./Engine.js"

const validators = RequestValidators.validators

const putRegistryScanningConfiguration: Step<"PutRegistryScanningConfiguration"> = (engine, input) => {
  const validated = validators.PutRegistryScanningConfiguration(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const s = engine.state
  const configuration = {
    scanType: validated.right.scanType ?? s.scanning.scanType,
    rules: validated.right.rules ?? []
  }
  const problem = RegistryScanningRules.configurationProblem(configuration)
  if (problem !== undefined) return Exit.fail(Errors.validation(problem))
  s.scanning = configuration
  engine.changes?.push({ _tag: "RegistryScanningConfigured", scanning: configuration })
  return Exit.succeed({ registryScanningConfiguration: configuration })
}

const getRegistryScanningConfiguration: Step<"GetRegistryScanningConfiguration"> = (engine, input) => {
  const validated = validators.GetRegistryScanningConfiguration(input ?? {})
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const { scanning } = engine.state
  return Exit.succeed({
    registryId: engine.config.accountId,
    scanningConfiguration: { scanType: scanning.scanType, rules: scanning.rules }
  } as Api.GetRegistryScanningConfigurationResponse)
}

const batchGetRepositoryScanningConfiguration: Step<"BatchGetRepositoryScanningConfiguration"> = (engine, input) => {
  const validated = validators.BatchGetRepositoryScanningConfiguration(input)
  if (Either.isLeft(validated)) return Exit.fail(validated.left)
  const { accountId, region } = engine.config
  const s = engine.state
  const scanningConfigurations: Array<ScanningConfiguration.RepositoryScanningConfiguration> = []
  const failures: Array<ScanningConfiguration.RepositoryScanningConfigurationFailure> = []
  for (const name of validated.right.repositoryNames) {
    const repository = s.repositories.get(name)
    if (repository === undefined) {
      failures.push({
        repositoryName: name,
        failureCode: "REPOSITORY_NOT_FOUND",
        failureReason: "REPOSITORY_NOT_FOUND"
      })
      continue
    }
    const effective = RegistryScanningRules.effectiveScanning(s.scanning, { name, scanOnPush: repository.scanOnPush })
    scanningConfigurations.push({
      repositoryArn: RepositoryModel.repositoryArn(region, accountId, name),
      repositoryName: name,
      scanOnPush: effective.scanOnPush,
      scanFrequency: effective.scanFrequency,
      appliedScanFilters: effective.appliedScanFilters
    })
  }
  return Exit.succeed({ scanningConfigurations, failures })
}

/** The scanning configuration operations' steps. */
export const steps = {
  PutRegistryScanningConfiguration: putRegistryScanningConfiguration,
  GetRegistryScanningConfiguration: getRegistryScanningConfiguration,
  BatchGetRepositoryScanningConfiguration: batchGetRepositoryScanningConfiguration
}
