// The emulator on its own: strict about the documented request, the documented bodies, faults, store.
import { serve } from '@erasekit/core/testing/node'
import { describe, expect, it } from 'vitest'
import { type AltcraftEmulatorOptions, createAltcraftEmulator } from '../src/emulator'

const URL_ = 'https://ru.altkraft.com/api/v1.1/profiles/delete'
const TOKEN = 'altcraft-emulator-token'

function post(emulator: { fetch: typeof fetch }, body: unknown, headers: Record<string, string> = {}, url = URL_) {
  return emulator.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function read(response: Response) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

function setup(options: AltcraftEmulatorOptions = {}) {
  const emulator = createAltcraftEmulator(options)
  const id = emulator.store.add(1, { email: 'Ann@Example.com', phone: '+79000000000', fields: { CRM_ID: 123420 }, resources: [24] })
  return { emulator, id }
}

describe('altcraft emulator', () => {
  it('answers a valid T1 request with exactly the documented success body', async () => {
    const { emulator, id } = setup()
    const response = await post(emulator, { token: TOKEN, db_id: 1, matching: 'email', email: 'ann@example.com' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(await response.json()).toEqual({ data: { profile_id: id }, error: 0, error_text: 'Successful operation' })
    expect(emulator.store.has(1, id)).toBe(false)
    expect(emulator.store.deleted).toEqual([{ dbId: 1, profileId: id }])
    expect(emulator.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1.1/profiles/delete', status: 200 })
  })

  it('T1 byte for byte: a profile seeded with the documented profile_id', async () => {
    const emulator = createAltcraftEmulator({ token: TOKEN })
    expect(emulator.store.add(1, { email: 'john.doe@example.com', profile_id: '5f33d33ece94481aa9382110' })).toBe('5f33d33ece94481aa9382110')
    const response = await post(emulator, { token: TOKEN, db_id: 1, matching: 'email', email: 'john.doe@example.com' })
    expect(await response.text()).toBe('{"data":{"profile_id":"5f33d33ece94481aa9382110"},"error":0,"error_text":"Successful operation"}')
  })

  it('T2: the XML request gets the documented XML answer, and XML errors too', async () => {
    const emulator = createAltcraftEmulator({ token: 'abcdefghijklmnqrstuvwxyz' })
    emulator.store.add(1, { email: 'example@example.com', profile_id: '5f33d33ece94481aa9382110' })
    const xml = (fields: string) => emulator.fetch(URL_, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: `<xml>\n${fields}</xml>` })
    const response = await xml('<token>abcdefghijklmnqrstuvwxyz</token>\n<db_id>1</db_id>\n<matching>email</matching>\n<email>example@example.com</email>\n')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/xml/)
    expect(await response.text()).toBe(
      '<xml>\n<data>\n<profile_id>5f33d33ece94481aa9382110</profile_id>\n</data>\n<error>0</error>\n<error_text>Successful operation</error_text>\n</xml>',
    )
    expect(emulator.store.deleted).toEqual([{ dbId: 1, profileId: '5f33d33ece94481aa9382110' }])
    const denied = await xml('<token>wrong</token><db_id>1</db_id><email>a&amp;b@example.com</email>')
    expect(await denied.text()).toBe('<xml>\n<error>401</error>\n<error_text>Invalid API token</error_text>\n</xml>')
    emulator.failWith(402, 'Tariff <limit> & "quota"')
    const escaped = await xml('<token>abcdefghijklmnqrstuvwxyz</token><db_id>1</db_id><email>x@example.com</email>')
    expect(await escaped.text()).toBe('<xml>\n<error>402</error>\n<error_text>Tariff &lt;limit&gt; &amp; &quot;quota&quot;</error_text>\n</xml>')
    const garbled = await emulator.fetch(URL_, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: 'token=abc' })
    expect(await garbled.text()).toContain('<error_text>Incorrect request</error_text>')
  })

  it('matching defaults to email', async () => {
    const { emulator, id } = setup()
    expect(await read(await post(emulator, { token: TOKEN, db_id: 1, email: 'ann@example.com' }))).toMatchObject({ body: { error: 0, data: { profile_id: id } } })
  })

  it.each([
    [{ matching: 'phone', phone: '+79000000000' }],
    [{ matching: 'phone', phone: '+79000000000', resource_id: 24 }],
    [{ matching: 'custom', field_name: 'CRM_ID', field_value: '123420' }],
    [{ matching: 'custom', field_name: 'CRM_ID', field_value: 123420 }],
  ])('finds the profile by %j', async (params) => {
    const { emulator, id } = setup()
    const { body } = await read(await post(emulator, { token: TOKEN, db_id: 1, ...params }))
    expect(body).toEqual({ data: { profile_id: id }, error: 0, error_text: 'Successful operation' })
  })

  it('finds by profile_id; resource_id does not narrow it', async () => {
    const { emulator, id } = setup()
    const { body } = await read(await post(emulator, { token: TOKEN, db_id: 1, matching: 'profile_id', profile_id: id, resource_id: 99 }))
    expect(body.error).toBe(0)
  })

  it('accepts the token as a Bearer header', async () => {
    const { emulator } = setup()
    const { body } = await read(await post(emulator, { db_id: 1, email: 'ann@example.com' }, { authorization: `Bearer ${TOKEN}` }))
    expect(body.error).toBe(0)
  })

  describe.each([
    ['http200', (_code: number): number => 200],
    ['status', (code: number): number => code],
  ] as const)('errors (errorTransport: %s)', (errorTransport, statusFor) => {
    const check = async (body: unknown, error: number, text: string | RegExp, headers?: Record<string, string>, options: AltcraftEmulatorOptions = {}) => {
      const { emulator, id } = setup({ errorTransport, ...options })
      const response = await read(await post(emulator, body, headers))
      expect(response.status).toBe(statusFor(error))
      expect(response.body).toEqual({ error, error_text: expect.stringMatching(text) })
      expect(emulator.store.has(1, id)).toBe(true)
    }
    const ok = { token: TOKEN, db_id: 1, matching: 'email', email: 'ann@example.com' }

    it('a missing token: {"error":401,"error_text":"API token required"} (T5)', async () => {
      const { token: _, ...noToken } = ok
      await check(noToken, 401, /^API token required$/)
      await check({ ...ok, token: '' }, 401, /^API token required$/)
      await check(noToken, 401, /^API token required$/, { authorization: 'Basic abc' })
    })
    it('a wrong token, in the body or as Bearer', async () => {
      await check({ ...ok, token: 'nope' }, 401, 'Invalid API token')
      const { token: _, ...noToken } = ok
      await check(noToken, 401, 'Invalid API token', { authorization: 'Bearer nope' })
    })
    it('a token without the delete permission: 403', async () => {
      await check({ ...ok, token: 'limited' }, 403, 'Access denied', {}, { restrictedToken: 'limited' })
    })
    it.each([
      [{ db_id: undefined }, 'db_id'],
      [{ db_id: '1' }, 'db_id'],
      [{ db_id: 1.5 }, 'db_id'],
      [{ db_id: 0 }, 'db_id'],
      [{ db_id: 9 }, 'Database not found'],
      [{ matching: 'name' }, 'matching'],
      [{ matching: 'phone' }, 'phone'],
      [{ matching: 'profile_id' }, 'profile_id'],
      [{ email: '' }, 'email'],
      [{ email: 7 }, 'email'],
      [{ matching: 'custom', field_value: 'x' }, 'field_name'],
      [{ matching: 'custom', field_name: 'CRM_ID' }, 'field_value'],
      [{ resource_id: '24' }, 'resource_id'],
      [{ email: 'other@example.com' }, 'Profile not found'],
      [{ resource_id: 25 }, 'Profile not found'],
    ] as [Record<string, unknown>, string][])('%j → error 400 (%s)', async (patch, text) => {
      await check({ ...ok, ...patch }, 400, new RegExp(text))
    })
    it('a body that is not a JSON object', async () => {
      await check('[1]', 400, 'Incorrect request')
      await check('token=x', 400, 'Incorrect request')
    })
    it('a content type that is neither JSON nor XML', async () => {
      await check(ok, 400, 'content type', { 'content-type': 'text/plain' })
    })
    it('an injected vendor error, after the auth check', async () => {
      const { emulator } = setup({ errorTransport })
      emulator.failWith(402, 'Tariff limit reached', { times: 2 })
      const { token: _, ...noToken } = ok
      expect((await read(await post(emulator, noToken))).body.error).toBe(401)
      expect(await read(await post(emulator, ok))).toEqual({ status: statusFor(402), body: { error: 402, error_text: 'Tariff limit reached' } })
      expect((await read(await post(emulator, ok))).body.error).toBe(402)
      expect((await read(await post(emulator, ok))).body.error).toBe(0)
    })
  })

  it('failWith(…, { times: 0 }) fails no request; clearFaults() drops what failWith queued', async () => {
    const { emulator } = setup()
    const ok = { token: TOKEN, db_id: 1, email: 'ann@example.com' }
    emulator.store.add(1, { email: 'ann@example.com' })
    emulator.failWith(402, 'Tariff limit reached', { times: 0 })
    expect((await read(await post(emulator, ok))).body.error).toBe(0)
    emulator.failWith(402, 'Tariff limit reached', { times: 2 })
    emulator.clearFaults()
    emulator.store.add(1, { email: 'ann@example.com' })
    expect((await read(await post(emulator, ok))).body.error).toBe(0)
  })

  it('routes strictly: exact path, POST only', async () => {
    const { emulator } = setup()
    const body = { token: TOKEN, db_id: 1, email: 'ann@example.com' }
    expect((await post(emulator, body, {}, `${URL_}/`)).status).toBe(404)
    expect((await post(emulator, body, {}, 'https://ru.altkraft.com/api/v1/profiles/delete')).status).toBe(404)
    expect((await emulator.fetch(URL_, { method: 'GET' })).status).toBe(405)
    expect(emulator.store.count(1)).toBe(1)
  })

  it('faults: 429 with Retry-After, 5xx, malformed, drop', async () => {
    const { emulator } = setup()
    const body = { token: TOKEN, db_id: 1, email: 'ann@example.com' }
    emulator.inject({ kind: 'rate_limit', retryAfterSeconds: 3 })
    const limited = await post(emulator, body)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('3')
    expect(await limited.json()).toEqual({ error: 429, error_text: 'Too many requests' })
    emulator.inject({ kind: 'server_error', status: 500 })
    expect(await read(await post(emulator, body))).toEqual({ status: 500, body: { error: 500, error_text: 'Internal server error' } })
    emulator.inject({ kind: 'malformed' })
    const malformed = await post(emulator, body)
    expect(malformed.status).toBe(200)
    await expect(malformed.json()).rejects.toThrow()
    emulator.inject({ kind: 'drop' })
    await expect(post(emulator, body)).rejects.toThrow()
    expect(emulator.store.count(1)).toBe(1)
    expect(emulator.requests.map((request) => request.fault)).toEqual(['rate_limit', 'server_error', 'malformed', 'drop'])
    expect((await read(await post(emulator, body))).body.error).toBe(0)
  })

  it('optional limits', async () => {
    const emulator = createAltcraftEmulator({ limits: { rate: { requests: 1, perMs: 60_000 } } })
    const body = { token: TOKEN, db_id: 1, email: 'x@example.com' }
    expect((await post(emulator, body)).status).toBe(200)
    const limited = await post(emulator, body)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('store: 24-hex ids, databases, clear', () => {
    const emulator = createAltcraftEmulator({ databases: [3] })
    const a = emulator.store.add(3, { email: 'a@example.com' })
    const b = emulator.store.add(5)
    expect(a).toMatch(/^[0-9a-f]{24}$/)
    expect(b).toMatch(/^[0-9a-f]{24}$/)
    expect(a).not.toBe(b)
    expect(emulator.store.get(3, a)).toEqual({ email: 'a@example.com', profile_id: a })
    expect(emulator.store.has(3, b)).toBe(false)
    expect(emulator.store.count(5)).toBe(1)
    expect(emulator.store.count(1)).toBe(0)
    emulator.store.clear()
    expect(emulator.store.count(3)).toBe(0)
    expect(emulator.store.count(5)).toBe(0)
  })

  it('finds profiles added after a delete, edited in place through store.get(), re-added under a deleted id, or sharing an email', async () => {
    const { emulator, id } = setup()
    const deleteBy = async (params: Record<string, unknown>) => (await read(await post(emulator, { token: TOKEN, db_id: 1, ...params }))).body
    const later = emulator.store.add(1, { email: 'later@example.com' })
    // The first delete builds the index; one added after it is found too.
    expect(await deleteBy({ matching: 'email', email: 'LATER@example.com' })).toMatchObject({ error: 0, data: { profile_id: later } })
    emulator.store.get(1, id)!.email = 'renamed@example.com'
    expect(await deleteBy({ matching: 'email', email: 'ann@example.com' })).toMatchObject({ error: 400 })
    expect(await deleteBy({ matching: 'email', email: 'renamed@example.com' })).toMatchObject({ error: 0, data: { profile_id: id } })
    emulator.store.add(1, { profile_id: id, phone: '+79000000001' })
    expect(await deleteBy({ matching: 'phone', phone: '+79000000000' })).toMatchObject({ error: 400 })
    expect(await deleteBy({ matching: 'phone', phone: '+79000000001' })).toMatchObject({ error: 0, data: { profile_id: id } })
    const [first, second] = [emulator.store.add(1, { email: 'twin@example.com' }), emulator.store.add(1, { email: 'twin@example.com' })]
    expect(await deleteBy({ matching: 'email', email: 'twin@example.com' })).toMatchObject({ data: { profile_id: first } })
    expect(await deleteBy({ matching: 'email', email: 'twin@example.com' })).toMatchObject({ data: { profile_id: second } })
    expect(await deleteBy({ matching: 'profile_id', profile_id: first })).toMatchObject({ error: 400 })
    // A profile held from store.get() and edited after later deletes (the index long built).
    const held = emulator.store.get(1, emulator.store.add(1, { email: 'held@example.com' }))!
    expect(await deleteBy({ matching: 'email', email: 'nobody@example.com' })).toMatchObject({ error: 400 })
    held.email = 'moved@example.com'
    expect(await deleteBy({ matching: 'email', email: 'moved@example.com' })).toMatchObject({ data: { profile_id: held.profile_id } })
    // Store order, as a scan finds it: a profile re-added under its id keeps its place.
    const x = emulator.store.add(1, { profile_id: 'id-x', email: 'same@example.com' })
    emulator.store.add(1, { profile_id: 'id-y', email: 'same@example.com' })
    emulator.store.add(1, { profile_id: x, email: 'same@example.com', phone: '+79000000002' })
    expect(await deleteBy({ matching: 'email', email: 'same@example.com' })).toMatchObject({ data: { profile_id: 'id-x' } })
  })

  it('an unknown database by default: only db 1 exists', async () => {
    const emulator = createAltcraftEmulator({ token: 'custom-token' })
    expect(emulator.token).toBe('custom-token')
    const { body } = await read(await post(emulator, { token: 'custom-token', db_id: 1, email: 'a@example.com' }))
    expect(body).toEqual({ error: 400, error_text: 'Profile not found' })
    expect((await read(await post(emulator, { token: 'custom-token', db_id: 2, email: 'a@example.com' }))).body.error_text).toBe('Database not found')
  })

  it('works behind serve() over loopback HTTP', async () => {
    const { emulator, id } = setup()
    const server = await serve(emulator)
    try {
      const response = await fetch(`${server.url}/api/v1.1/profiles/delete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ db_id: 1, matching: 'profile_id', profile_id: id }),
      })
      expect(await response.json()).toEqual({ data: { profile_id: id }, error: 0, error_text: 'Successful operation' })
    } finally {
      await server.close()
    }
  })
})
