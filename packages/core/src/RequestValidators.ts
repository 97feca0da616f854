/**
 * One validator per operation: the request as a caller sent it becomes the typed request, or the
 * `InvalidParameterException` ECR would answer. Shared by every backend, so the in-memory registry
 * and the AWS backend (which checks before sending: the JS SDK validates nothing) refuse alike.
 *
 * @since 0.1.0
 */
import * as Api from "./Api.js"
import * as Validation from "./Validation.js"

/** The validators, one per operation of the table, keyed by its wire name. */
export type Validators = { readonly [K in Api.OperationName]: Validation.Validator<Api.RequestTypeOf<K>> }

/** The validator of each operation, keyed by its wire name (with the table's fast guard where it has one). */
export const validators: Validators = Object.fromEntries(
  Api.operationNames.map((name) => {
    const operation: (typeof Api.Operations)[Api.OperationName] = Api.Operations[name]
    return [name, Validation.validator(operation.request as never, operation.fastRequest)]
  })
) as unknown as Validators
