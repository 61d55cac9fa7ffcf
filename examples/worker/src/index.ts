/**
 * A Cloudflare Worker that erases a person from every configured processor.
 *
 *   POST /erase   Authorization: Bearer <ERASE_TOKEN>
 *   {"ref":"ticket-4711","userId":"u_123","email":"jane@example.com"}
 *
 * → 200 with the PII-free report when every provider succeeded, 502 with the report when
 *   one failed, 400 for a subject erase() refuses (a malformed one: no request sent), 401 without the right token.
 *
 * And a Queues consumer: each message's body is a subject. Done → ack; only retryable failures →
 * retry (after the wait the vendor asked for); anything else → logged (PII-free) and acked. With a D1
 * binding as the journal, a retried message goes only to the providers not yet confirmed.
 * Credentials are env bindings (wrangler secrets); see wrangler.toml and README.md.
 */
import { CONFIRMED, createEraser, ErasureError, type Journal, type Provider, type Report, type Subject } from '@erasekit/core'
import { adapty } from '@erasekit/adapty'
import { clevertap, type CleverTapRegion } from '@erasekit/clevertap'
import { altcraft } from '@erasekit/altcraft'
import { batch, type BatchOptions } from '@erasekit/batch'

export interface Env {
  /** Shared secret callers present as `Authorization: Bearer <token>`. */
  ERASE_TOKEN?: string
  ADAPTY_API_KEY?: string
  ADAPTY_BASE_URL?: string
  CLEVERTAP_ACCOUNT_ID?: string
  CLEVERTAP_PASSCODE?: string
  CLEVERTAP_REGION?: string
  CLEVERTAP_BASE_URL?: string
  ALTCRAFT_BASE_URL?: string
  ALTCRAFT_TOKEN?: string
  ALTCRAFT_DB_ID?: string
  BATCH_REST_KEY?: string
  BATCH_IOS_APP_KEY?: string
  BATCH_ANDROID_APP_KEY?: string
  BATCH_WEB_APP_KEY?: string
  /** `gdpr` (default here: a right-to-erasure request) or `custom_data` (only the custom data). */
  BATCH_MODE?: string
  BATCH_BASE_URL?: string
  /** D1 database for the journal: CREATE TABLE erased (ref TEXT, provider TEXT, target TEXT, hash TEXT, status TEXT, at TEXT, PRIMARY KEY (ref, provider, target, hash)) */
  ERASURE_DB?: D1Database
}

/** The parts of @cloudflare/workers-types this Worker uses (a project with those types uses theirs). */
interface D1Database {
  prepare(query: string): { bind(...values: unknown[]): { first(): Promise<unknown>; run(): Promise<unknown> } }
}
interface QueueMessage {
  readonly id: string
  readonly body: unknown
  /** Deliveries so far, this one included. */
  readonly attempts: number
  ack(): void
  retry(options?: { delaySeconds?: number }): void
}
interface MessageBatch {
  readonly messages: readonly QueueMessage[]
}

/** The README's D1 journal: confirmed outcomes, keyed by ref, provider target and identifier hash. */
const d1Journal = (db: D1Database): Journal => ({
  record: async (o) => {
    if (CONFIRMED.has(o.status)) await db.prepare('INSERT OR REPLACE INTO erased VALUES (?, ?, ?, ?, ?, ?)').bind(o.subjectRef, o.provider, o.target ?? '', o.identifier?.hash ?? '', o.status, o.at).run()
  },
  has: async (ref, provider, target, hash) =>
    !!(await db.prepare('SELECT 1 FROM erased WHERE ref = ? AND provider = ? AND target = ? AND hash = ?').bind(ref, provider, target ?? '', hash ?? '').first()),
})

/** Queues delays a retry by 12 hours at most. */
const MAX_DELAY_SECONDS = 43_200

/**
 * Ack what is done; retry what may succeed later; log and ack what a retry cannot mend (a refused
 * key, an invalid id, no identifier any provider can use). Every retry is logged too: past the
 * queue's max_retries a message goes to its dead_letter_queue, or is dropped if it has none.
 * Reports hold no raw identifier and no secret: safe to log.
 */
function settle(message: QueueMessage, report: Report): void {
  const failed = report.outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [outcome.error] : []))
  if (failed.length === 0 && report.outcomes.some((outcome) => outcome.status !== 'skipped' || outcome.reason !== 'no_identifier')) return message.ack()
  if (failed.length > 0 && failed.every((error) => error.retryable)) {
    const waitMs = Math.max(0, ...failed.map((error) => error.retryAfterMs ?? 0))
    console.warn(JSON.stringify({ retrying: { message: message.id, attempts: message.attempts, report } }))
    return message.retry(waitMs ? { delaySeconds: Math.min(Math.ceil(waitMs / 1000), MAX_DELAY_SECONDS) } : undefined)
  }
  console.error(JSON.stringify({ unrecoverable: report }))
  message.ack()
}

/** Providers from the bindings; one whose credentials are not bound is left out. */
export function providersFromEnv(env: Env): Provider[] {
  const providers: Provider[] = []
  if (env.ADAPTY_API_KEY) providers.push(adapty({ apiKey: env.ADAPTY_API_KEY, baseURL: env.ADAPTY_BASE_URL || undefined }))
  if (env.CLEVERTAP_ACCOUNT_ID && env.CLEVERTAP_PASSCODE) {
    providers.push(
      clevertap({
        accountId: env.CLEVERTAP_ACCOUNT_ID,
        passcode: env.CLEVERTAP_PASSCODE,
        region: (env.CLEVERTAP_REGION || undefined) as CleverTapRegion | undefined,
        baseURL: env.CLEVERTAP_BASE_URL || undefined,
      }),
    )
  }
  if (env.ALTCRAFT_BASE_URL && env.ALTCRAFT_TOKEN) {
    providers.push(altcraft({ baseURL: env.ALTCRAFT_BASE_URL, token: env.ALTCRAFT_TOKEN, dbId: Number(env.ALTCRAFT_DB_ID ?? 1) }))
  }
  if (env.BATCH_REST_KEY) {
    const appKeys: Record<string, string> = {}
    if (env.BATCH_IOS_APP_KEY) appKeys.ios = env.BATCH_IOS_APP_KEY
    if (env.BATCH_ANDROID_APP_KEY) appKeys.android = env.BATCH_ANDROID_APP_KEY
    if (env.BATCH_WEB_APP_KEY) appKeys.web = env.BATCH_WEB_APP_KEY
    providers.push(batch({ restKey: env.BATCH_REST_KEY, appKeys, mode: (env.BATCH_MODE || 'gdpr') as BatchOptions['mode'], baseURL: env.BATCH_BASE_URL || undefined }))
  }
  return providers
}

const problem = (status: number, code: string, message: string, headers?: HeadersInit) =>
  Response.json({ error: { code, message } }, { status, headers })

/** Compares digests, so the time taken does not depend on how much of the token matched. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const encoder = new TextEncoder()
  const [a, b] = await Promise.all([given, expected].map((value) => crypto.subtle.digest('SHA-256', encoder.encode(value))))
  const x = new Uint8Array(a!)
  const y = new Uint8Array(b!)
  let diff = 0
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!
  return diff === 0
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url)
    if (pathname !== '/erase') return problem(404, 'not_found', 'POST /erase')
    if (request.method !== 'POST') return problem(405, 'method_not_allowed', 'POST /erase', { allow: 'POST' })
    if (!env.ERASE_TOKEN) return problem(500, 'not_configured', 'ERASE_TOKEN is not set')
    const token = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? ''
    if (!(await sameSecret(token, env.ERASE_TOKEN))) return problem(401, 'unauthorized', 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' })

    // Whatever the JSON holds: erase() checks it (a malformed subject is invalid_subject, a 400 below).
    let subject: Subject
    try {
      subject = await request.json()
    } catch {
      return problem(400, 'invalid_json', 'the body must be a JSON subject')
    }
    const providers = providersFromEnv(env)
    if (providers.length === 0) return problem(500, 'not_configured', 'no provider credentials are bound')
    try {
      const report = await createEraser({ providers }).erase(subject, { signal: request.signal })
      return Response.json(report, { status: report.ok ? 200 : 502 })
    } catch (error) {
      // Messages are already redacted: no secret and no identifier in them.
      if (ErasureError.isInstance(error)) return problem(error.code === 'invalid_subject' ? 400 : 500, error.code, error.message)
      throw error
    }
  },

  /**
   * Size the batch (max_batch_size) to the subrequest limit: a request per provider target per
   * subject (5 with two Batch app keys), times 1 + retry.limit. Messages of one batch run at once:
   * two for the same subject are both sent (the journal is asked for each before either is done).
   */
  async queue(batch: MessageBatch, env: Env): Promise<void> {
    const providers = providersFromEnv(env)
    // Thrown: the whole batch is retried once the bindings are fixed.
    if (providers.length === 0) throw new Error('no provider credentials are bound')
    const eraser = createEraser({ providers })
    const journal = env.ERASURE_DB && d1Journal(env.ERASURE_DB)
    await Promise.all(
      batch.messages.map(async (message) => {
        const body = message.body as Subject
        try {
          // A ref keys the journal: the ticket id, or the message id (a retried message keeps it).
          const subject = body && typeof body === 'object' && !body.ref ? { ...body, ref: message.id } : body
          settle(message, await eraser.erase(subject, { journal }))
        } catch (error) {
          // A subject erase() refuses (malformed: nothing sent) cannot be mended by a retry.
          // Only an ErasureError's message is logged: it is redacted, another error's may not be.
          const reason = ErasureError.isInstance(error) ? `${error.code}: ${error.message}` : 'unexpected error'
          if (ErasureError.isInstance(error) && error.code === 'invalid_subject') {
            console.error(JSON.stringify({ unrecoverable: { message: message.id, error: reason } }))
            return message.ack()
          }
          // The journal failing (D1 down), or anything else unforeseen: try again later.
          console.warn(JSON.stringify({ retrying: { message: message.id, attempts: message.attempts, error: reason } }))
          message.retry()
        }
      }),
    )
  },
}
