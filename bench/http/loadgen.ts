/**
 * The raw HTTP load generator, run as a child process of `bench/emulator.ts`: keep-alive sockets with
 * exactly one request in flight on each, pre-built request bytes, latency from the write of a request
 * to the last byte of its reply.
 *
 * `setup` pushes the emulator's images (CreateRepository, then PutImage); `scan` is the timed
 * StartImageScan run: a warm-up, then a fixed window, or until the images run out.
 *
 * @since 0.1.0
 */
import { readFileSync } from "node:fs"
import * as net from "node:net"
import { type LoadResult, percentiles, readSpec, report, type ScanSpec, type SetupSpec } from "./protocol.js"
import * as Requests from "./requests.js"

/** Options of one run of a sequence of requests. */
interface SequenceOptions {
  readonly host: string
  readonly port: number
  readonly connections: number
  readonly requests: ReadonlyArray<Buffer>
  readonly cycle: boolean
  /** 0: measure from the first request. */
  readonly warmupMs: number
  /** The measured window; the run also ends when the requests run out. */
  readonly durationMs: number
  /** A hard bound on the whole run. */
  readonly timeoutMs: number
  readonly onStart?: () => void
  readonly onEnd?: () => void
}

const MAX_RECONNECTS = 100
const MAX_SAMPLES = 3
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i

/** Sends the requests in order over `connections` keep-alive sockets, one in flight on each. */
const runSequence = (o: SequenceOptions): Promise<Omit<LoadResult, "build_ms">> =>
  new Promise((resolve) => {
    const latencies = new Float64Array(Math.max(1, o.cycle ? 4_000_000 : o.requests.length))
    const statuses: Record<string, number> = {}
    const samples: Array<string> = []
    let measuredCount = 0
    let total = 0
    let errors = 0
    let reconnects = 0
    let next = 0
    let idle = 0
    let measuring = o.warmupMs <= 0
    let stopped = false
    let started = measuring ? performance.now() : 0
    let ended = 0
    let lastResponse = 0
    const sockets = new Set<net.Socket>()
    const timers: Array<NodeJS.Timeout> = []

    const finish = (reason: string) => {
      if (stopped) return
      stopped = true
      if (measuring) {
        ended = reason === "time" ? performance.now() : lastResponse || performance.now()
        measuring = false
        o.onEnd?.()
      }
      for (const t of timers) clearTimeout(t)
      for (const s of sockets) s.destroy()
      const seconds = ended > started ? (ended - started) / 1000 : NaN
      resolve({
        measured: measuredCount,
        seconds,
        requests_per_s: measuredCount / seconds,
        ...percentiles(latencies.subarray(0, measuredCount)),
        statuses,
        total_responses: total,
        errors,
        reason,
        samples
      })
    }

    // One connection slot; a server that closes after each reply (moto's werkzeug sends
    // `Connection: close`) gets a new connection per request, whose latency then counts from the connect.
    const connect = () => {
      let pending: Buffer | null = null
      const connectedAt = performance.now()
      let first = true
      let sentAt = 0
      let busy = false
      let closing = false
      const socket = net.connect({ host: o.host, port: o.port, noDelay: true })
      sockets.add(socket)
      const send = () => {
        if (stopped) return
        if (next >= o.requests.length) {
          if (!o.cycle) {
            busy = false
            idle += 1
            if (idle === o.connections) finish("exhausted")
            return
          }
          next = 0
        }
        busy = true
        const request = o.requests[next++]
        sentAt = first ? connectedAt : performance.now()
        first = false
        socket.write(request)
      }
      socket.on("connect", send)
      socket.on("error", (error) => {
        errors += 1
        if (samples.length < MAX_SAMPLES) samples.push(`socket error: ${error.message}`)
      })
      socket.on("close", () => {
        sockets.delete(socket)
        if (stopped || closing) return
        // The server closed a keep-alive connection: the request in flight is lost; open another.
        if (busy) errors += 1
        if (reconnects++ >= MAX_RECONNECTS) return finish("too many closed connections")
        connect()
      })
      socket.on("data", (chunk: Buffer) => {
        let buffer: Buffer = pending === null ? chunk : Buffer.concat([pending, chunk])
        pending = buffer
        for (;;) {
          const headEnd: number = buffer.indexOf("\r\n\r\n")
          if (headEnd < 0) return
          const head = buffer.toString("latin1", 0, headEnd)
          const length = CONTENT_LENGTH.exec(head)
          if (length === null) {
            if (samples.length < MAX_SAMPLES) samples.push(`no content-length: ${head}`)
            return finish("a reply without content-length")
          }
          const end: number = headEnd + 4 + Number(length[1])
          if (buffer.length < end) return
          const now = performance.now()
          const status = head.slice(9, 12)
          total += 1
          if (status !== "200" && samples.length < MAX_SAMPLES) {
            samples.push(`${status} ${buffer.toString("utf8", headEnd + 4, Math.min(end, headEnd + 404))}`)
          }
          if (measuring) {
            statuses[status] = (statuses[status] ?? 0) + 1
            if (measuredCount < latencies.length) latencies[measuredCount++] = now - sentAt
          }
          lastResponse = now
          busy = false
          if (CONNECTION_CLOSE.test(head)) {
            closing = true
            pending = null
            socket.destroy()
            if (!stopped) connect()
            return
          }
          if (buffer.length === end) {
            pending = null
            send()
            return
          }
          buffer = buffer.subarray(end)
          pending = buffer
          send()
        }
      })
    }

    for (let c = 0; c < o.connections; c++) connect()
    if (!measuring) {
      timers.push(setTimeout(() => {
        if (stopped) return
        measuring = true
        started = performance.now()
        o.onStart?.()
      }, o.warmupMs))
    } else {
      o.onStart?.()
    }
    timers.push(setTimeout(() => finish("time"), o.warmupMs + o.durationMs))
    timers.push(setTimeout(() => finish("timeout"), o.timeoutMs))
  })

const timed = <A>(build: () => A): readonly [A, number] => {
  const start = performance.now()
  const value = build()
  return [value, performance.now() - start]
}

const scan = async (spec: ScanSpec) => {
  const [requests, buildMs] = timed(() => {
    const digests = spec.digestsFile === undefined
      ? undefined
      : JSON.parse(readFileSync(spec.digestsFile, "utf8")) as ReadonlyArray<string>
    const first = spec.firstImage ?? 0
    if (digests !== undefined && digests.length < first + spec.images) {
      throw new Error(`${spec.digestsFile} has ${digests.length} digests, not ${first + spec.images}`)
    }
    return Array.from({ length: spec.images }, (_, n) => {
      const i = first + n
      return Requests.build(
        spec.host,
        spec.port,
        "StartImageScan",
        Requests.startImageScanBody(i, digests === undefined ? Requests.emulatorDigest(i) : digests[i])
      )
    })
  })
  const result = await runSequence({
    host: spec.host,
    port: spec.port,
    connections: spec.connections,
    requests,
    cycle: spec.cycle,
    warmupMs: spec.warmupMs,
    durationMs: spec.durationMs,
    timeoutMs: spec.warmupMs + spec.durationMs + 15_000,
    onStart: () => process.stdout.write("START\n"),
    onEnd: () => process.stdout.write("END\n")
  })
  report({ ...result, build_ms: buildMs })
}

const setup = async (spec: SetupSpec) => {
  const base = { host: spec.host, port: spec.port, cycle: false, warmupMs: 0 }
  const creates = Requests.createRepositoryBodies().map((body) =>
    Requests.build(spec.host, spec.port, "CreateRepository", body)
  )
  const created = await runSequence({
    ...base,
    connections: 1,
    requests: creates,
    durationMs: 30_000,
    timeoutMs: 30_000
  })
  const [puts, buildMs] = timed(() =>
    Array.from(
      { length: spec.images },
      (_, i) => Requests.build(spec.host, spec.port, "PutImage", Requests.putImageBody(i))
    )
  )
  // Bounded: 200,000 images at 1,000/s would take 200 s.
  const put = await runSequence({
    ...base,
    connections: spec.connections,
    requests: puts,
    durationMs: 240_000,
    timeoutMs: 240_000
  })
  report({ created, put: { ...put, build_ms: buildMs } })
}

const spec = readSpec<ScanSpec | SetupSpec>()
const done = spec.mode === "scan" ? scan(spec) : setup(spec)
done.catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
