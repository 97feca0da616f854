/**
 * The abort signal each call hands to `client.send`, aborted when the calling fiber is interrupted.
 *
 * The SDK types `HttpHandlerOptions.abortSignal` as its own `AbortSignal` interface (`aborted`,
 * `onabort`), and its node handlers use `addEventListener` when the signal has it. A plain object with
 * those members costs a fraction of Node's `AbortController`, an `EventTarget` whose creation cost about 4%
 * of a whole SDK call in bench/aws's last run (`abort_signal_overhead`). One handler may need the real thing: the fetch handler
 * passes the signal on to `fetch`, and a browser's `fetch` accepts only a native `AbortSignal` (Node's
 * checks the members it uses); a client on the fetch handler gets a native one wherever it runs.
 *
 * @since 0.1.0
 */
import type { ECRClient } from "@aws-sdk/client-ecr"

/** A listener of the `abort` event. */
type Listener = (this: unknown, event: { readonly type: "abort"; readonly target: unknown }) => unknown

/** A call's signal, as an `AbortController` gives it: what the SDK reads of a signal, and the means to abort it. */
export interface CallSignal {
  readonly signal: { readonly aborted: boolean }
  /** Aborts the signal: the SDK's handler cancels the request in flight. */
  abort(): void
}

/**
 * The SDK's abort signal interface, with the listener methods its handlers prefer; its own controller
 * (`signal` is itself), so a call allocates one object.
 */
class LightSignal implements CallSignal {
  aborted = false
  reason: unknown = undefined
  onabort: Listener | null = null
  private listeners: Array<Listener> | undefined = undefined

  addEventListener(type: string, listener: Listener): void {
    if (type !== "abort" || this.aborted) return
    ;(this.listeners ??= []).push(listener)
  }

  removeEventListener(type: string, listener: Listener): void {
    if (type !== "abort" || this.listeners === undefined) return
    const index = this.listeners.indexOf(listener)
    if (index >= 0) this.listeners.splice(index, 1)
  }

  get signal(): this {
    return this
  }

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    const event = { type: "abort" as const, target: this }
    const listeners = this.listeners ?? []
    this.listeners = undefined
    // A listener that throws must not keep the others from hearing, nor reach the fiber that interrupted.
    const notify = (listener: Listener) => {
      try {
        listener.call(this, event)
      } catch {
        // The request's own error path reports the abort.
      }
    }
    if (this.onabort !== null) notify(this.onabort)
    for (const listener of listeners) notify(listener)
  }
}

const light = (): CallSignal => new LightSignal()

const native = (): CallSignal => new AbortController()

/** Whether a client's request handler hands its signal to `fetch`. */
const usesFetch = (client: ECRClient): boolean => {
  // `baseLayer` takes whatever client a user builds: read its config defensively.
  const handler: unknown = (client as { readonly config?: { readonly requestHandler?: unknown } }).config
    ?.requestHandler
  return typeof handler === "object" && handler !== null && handler.constructor?.name === "FetchHttpHandler"
}

/** The signal factory for a client: the light signal, or a native one for the fetch handler. */
export const factoryFor = (client: ECRClient): () => CallSignal => usesFetch(client) ? native : light
