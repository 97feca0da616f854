// TypeDoc plugin of the API reference (see typedoc.config.mjs): what counts as a doc comment.
//
// - A comment must say something. TypeDoc counts a comment of tags alone (`/** @since 0.1.0 */`) as documentation;
//   here an export whose comment has no text is reported like one with no comment.
// - A schema's type shares its schema's comment. Effect names a schema's type after the schema
//   (`export const Repository = Schema.Struct(...)`, `export type Repository = typeof Repository.Type`), and the
//   type's comment carries only `@since`: its page shows the schema's text, and the check accepts it.
import { Application, Comment, Converter, ReflectionKind } from "typedoc"

/** Whether a comment has text, not only tags. */
const hasText = (comment) => comment !== undefined && comment.summary.some((part) => part.text.trim() !== "")

/** The kinds whose comments must have text: the exports, and the signatures that carry functions' comments. */
const checked = ReflectionKind.Module | ReflectionKind.Namespace | ReflectionKind.Enum | ReflectionKind.Variable |
  ReflectionKind.Class | ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.CallSignature

/** @param {import("typedoc").Application} app */
export const load = (app) => {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const alias of context.project.getReflectionsByKind(ReflectionKind.TypeAlias)) {
      if (hasText(alias.comment)) continue
      const schema = alias.parent?.children?.find((child) =>
        child !== alias && child.name === alias.name && child.kindOf(ReflectionKind.Variable) && hasText(child.comment)
      )
      if (schema === undefined) continue
      alias.comment ??= new Comment()
      alias.comment.summary = Comment.cloneDisplayParts(schema.comment.summary)
      alias.comment.sourcePath = schema.comment.sourcePath
    }
  })

  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    if (!app.options.getValue("validation").notDocumented) return
    const packages = new Set(app.options.getValue("packagesRequiringDocumentation"))
    for (const reflection of project.getReflectionsByKind(checked)) {
      // No comment at all is TypeDoc's own warning; a callback parameter's type is never documented deeply.
      if (reflection.comment === undefined || hasText(reflection.comment)) continue
      let parent = reflection.parent
      while (parent !== undefined && !parent.kindOf(ReflectionKind.Parameter)) parent = parent.parent
      if (parent !== undefined) continue
      const symbol = project.getSymbolIdFromReflection(reflection)
      if (symbol === undefined || !packages.has(symbol.packageName)) continue
      app.logger.validationWarning(
        `${reflection.getFriendlyFullName()} (${ReflectionKind[reflection.kind]}), defined in ` +
          `${symbol.packageName}/${symbol.packagePath}, has a doc comment with tags but no text`
      )
    }
  })
}
