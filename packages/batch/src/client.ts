import { createProviderContext, createRedactor, ErasureError, pathSegment, REDACTED, type EraseContext, type ProviderResponse } from '@erasekit/core'
import { batch, batchApi, pick, readAnswer, type BatchOptions } from './provider'

/** Which GDPR request to look up: an `accepted` Batch outcome of `mode: 'gdpr'` has both fields. */
export interface BatchGdprRequestRef {
  /** The app key's label (`ios`, `android`, …): the outcome's `target`. */
  target?: string | undefined
  /** Batch's request id: the outcome's `requestId`. */
  requestId?: string | undefined
}

export interface BatchGdprStatus {
  requestId: string
  /** Batch's own state: `pending` until it has processed the request, then `done`. */
  state: 'pending' | 'done'
  /**
   * What it means for the erasure, in outcome words: `accepted` while pending; once done,
   * `deleted` (no error), `not_found` (Batch's `user not found`: it held nothing under that id),
   * or `failed` (any other error, in `error`).
   */
  status: 'accepted' | 'deleted' | 'not_found' | 'failed'
  /** When Batch filed the request, as it wrote it (ISO 8601 without a zone). */
  requestDate?: string
  /** Batch's error text when done with one, the identifier and secrets redacted. */
  error?: string
}

export interface BatchClient {
  /**
   * Looks up a GDPR request (`GET /1.0/{appKey}/gdpr/request/{requestId}`): the follow-up of an
   * `accepted` outcome. Batch keeps requests 20–30 days, so look up within that.
   */
  gdprStatus(request: BatchGdprRequestRef, options?: { signal?: AbortSignal | undefined }): Promise<BatchGdprStatus>
}

// A Batch request id is a UUID [doc example]; any printable token is sent, percent-encoded.
const REQUEST_ID = /^[!-~]{1,256}$/

/**
 * A client for Batch's GDPR status API, on the provider's pipeline (retry, timeout, redaction).
 * Takes the options given to `batch()`; errors throw `ErasureError`.
 */
export function createBatchClient(options: BatchOptions): BatchClient {
  const provider = batch(options)
  const { o, headers, secrets, appPath } = batchApi(options)
  const labels = Object.keys(o.appKeys)

  return {
    async gdprStatus(request, callOptions) {
      const { target, requestId } = request ?? {}
      // Checked before any request; a label is never a secret (the provider refuses one that holds a key), a request id is not shown.
      if (typeof target !== 'string' || !Object.hasOwn(o.appKeys, target)) {
        throw new ErasureError('invalid_request', `request.target: expected one of ${labels.join(', ')}`, { provider: 'batch' })
      }
      if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
        throw new ErasureError('invalid_request', 'request.requestId: expected a request id (printable ASCII, no spaces, ≤ 256 characters)', { provider: 'batch' })
      }
      const ctx = createProviderContext(provider, { target, signal: callOptions?.signal })
      const url = `${appPath(target)}/gdpr/request/${pathSegment(requestId)}`
      return ctx.request({ method: 'GET', url, headers }, (response) => readStatus(response, ctx, requestId, secrets))
    },
  }
}

/**
 * The status item [doc: request_id, request_date, status pending|done, request_type, error, id].
 * Anything else is never read as an erasure: another request's item, a review request, an unknown
 * state are errors; 404 is an unknown request id or app key (Batch keeps requests 20–30 days).
 */
function readStatus(response: ProviderResponse, ctx: EraseContext, requestId: string, secrets: (string | undefined)[]): BatchGdprStatus {
  const { status } = response
  const { body, providerCode, message } = readAnswer(response.data)
  if (status === 404) throw new ErasureError('invalid_request', 'HTTP 404: unknown GDPR request id or app key (Batch keeps requests 20–30 days)', { provider: 'batch', status, providerCode })
  if (status >= 300 || !body) throw ctx.responseError(response, { providerCode, message })
  const state = body.status
  const type = pick(body, 'request_type')
  const id = body.id as { value?: unknown } | undefined
  if ((state !== 'pending' && state !== 'done') || pick(body, 'request_id') !== requestId) {
    throw ctx.responseError(response, { message: 'expected the status item of this request (request_id, status pending or done)' })
  }
  if (type !== undefined && type !== 'remove') throw new ErasureError('invalid_request', `the request is a ${type === 'review' ? 'review' : 'request'}, not a remove`, { provider: 'batch', status })
  // Batch echoes the id it looked up, and its error text may quote it. An error in any form Batch's
  // answers use (`error` of any type, `errors`, an error code) is an error; `""`, null, false and [] say none.
  const redact = createRedactor([...secrets.map((secret) => [secret, REDACTED] as const), [typeof id?.value === 'string' ? id.value : undefined, '[id]']])
  const errors = body.errors as unknown[] | undefined
  const raw = body.error || body.error === 0 ? body.error : Array.isArray(errors) && errors.length ? errors : providerCode
  const text = raw === undefined ? undefined : typeof raw === 'string' ? raw : JSON.stringify(raw)
  const error = text === undefined ? undefined : redact(text)
  const requestDate = pick(body, 'request_date')
  return {
    requestId,
    state,
    // Read before redaction: a custom id `user` would otherwise hide Batch's words.
    status: state === 'pending' ? 'accepted' : text === undefined ? 'deleted' : /^user not found$/i.test(text.trim()) ? 'not_found' : 'failed',
    ...(requestDate === undefined ? {} : { requestDate }),
    ...(error === undefined ? {} : { error }),
  }
}
