// Plain Node, no test runner, no aliases: the BUILT plugin (imported by its own package name)
// on an eraser with a tiny inline provider. Prints the collected events as JSON.
import { createEraser, defineProvider } from '@erasekit/core'
import { logger } from 'erasekit-plugin-logger'

const token = 'smoke-logger-secret'
const provider = defineProvider({
  name: 'inline',
  specificationVersion: 1,
  options: { fetch: async () => new Response(null, { status: 204 }) },
  secrets: [token],
  baseURL: 'https://api.inline.example',
  match: (subject) => subject.userId && { kind: 'userId', value: subject.userId },
  erase: (ids, ctx) => Promise.all(ids.map(() => ctx.request({ method: 'DELETE', url: '/users', headers: { authorization: `Bearer ${token}` } }).then((r) => ({ status: 'deleted', httpStatus: r.status })))),
})
const events = []
await createEraser({ providers: [provider], plugins: [logger({ sink: (event) => void events.push(event) })] }).erase({ userId: 'smoke-person-1' })
console.log(JSON.stringify({ events, resolved: import.meta.resolve('erasekit-plugin-logger') }))
