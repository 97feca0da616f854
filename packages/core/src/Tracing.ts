/**
 * Whether a fiber runs under a tracer someone installed. Effect's built-in tracer, every fiber's until a
 * program installs its own (`Layer.setTracer`, an OpenTelemetry layer), sends its spans nowhere; making one
 * costs more than a backend's own work on a call (`bench:memory`, `bench:aws`), so the backends make their
 * spans only under another tracer.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import type * as Fiber from "effect/Fiber"
import * as Tracer from "effect/Tracer"

/** Effect's built-in tracer. */
export const builtInTracer: Tracer.Tracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/** Whether spans made on this fiber go anywhere: its tracer is not Effect's built-in one. */
export const isTraced = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => fiber.currentTracer !== builtInTracer
