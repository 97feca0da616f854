/**
 * The floor of the HTTP benchmark: a bare `node:http` server on 127.0.0.1 that reads each request's
 * body and answers it with one fixed StartImageScan reply, as fast as Node serves HTTP. Run as a child
 * process; prints `floor listening on http://127.0.0.1:PORT`; stops on SIGTERM or SIGINT.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

const BODY = JSON.stringify({
  registryId: "123456789012",
  repositoryName: "team-0/service-0",
  imageId: { imageDigest: `sha256:${"0123456789abcdef".repeat(4)}` },
  imageScanStatus: { status: "IN_PROGRESS" }
})

const HEADERS: Http.OutgoingHttpHeaders = {
  "content-type": "application/x-amz-json-1.1",
  "content-length": Buffer.byteLength(BODY),
  "x-amzn-requestid": "00000000-0000-4000-8000-000000000000"
}

const server = Http.createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
  req.on("data", () => {})
  req.on("end", () => {
    res.writeHead(200, HEADERS)
    res.end(BODY)
  })
})

const port = Number(process.argv[2] ?? 0)
server.listen({ host: "127.0.0.1", port }, () => {
  const address = server.address() as AddressInfo
  process.stdout.write(`floor listening on http://${address.address}:${address.port}\n`)
})

const stop = () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
