/**
 * A tracer installed by the program, as an OpenTelemetry layer would be, without the cost of exporting:
 * its spans keep their attributes and status and go nowhere once ended. The benches use it to measure
 * what a span costs a call (Effect's default tracer makes the backends skip their spans).
 *
 * @since 0.1.0
 */
import type * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import type * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

/** A span that keeps its attributes and status, as any tracer's does, and goes nowhere once ended. */
class DroppedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId: string
  readonly traceId: string
  readonly sampled = true
  readonly attributes = new Map<string, unknown>()
  readonly links: Array<Tracer.SpanLink>
  status: Tracer.SpanStatus
  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    id: number
  ) {
    this.spanId = id.toString(16)
    this.traceId = parent._tag === "Some" ? parent.value.traceId : this.spanId
    this.links = [...links]
    this.status = { _tag: "Started", startTime }
  }
  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
  }
  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }
  event(): void {}
  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }
}

/** A tracer installed by the program, as an OpenTelemetry layer would be, without the cost of exporting. */
export const makeTracer = (): { readonly tracer: Tracer.Tracer; readonly spans: () => number } => {
  let spans = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind) =>
      new DroppedSpan(name, parent, context, links, startTime, kind, ++spans),
    context: (f) => f()
  })
  return { tracer, spans: () => spans }
}
