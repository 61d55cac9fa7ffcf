// A minimal vendor in its own process, so the benchmark measures only the client's CPU.
import { createServer } from 'node:http'

const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(204)
    res.end()
  })
})
server.keepAliveTimeout = 30_000
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }))
