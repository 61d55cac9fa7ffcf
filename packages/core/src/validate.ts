import * as v from 'valibot'
import { ErasureError, type ErrorCode } from './errors'

/**
 * Parses `input` with a valibot schema and throws an ErasureError whose message names
 * the field (`region`, `appKeys.ios`) but never echoes the received value, which may be
 * a secret or personal data.
 */
export function parseOrThrow<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  code: ErrorCode,
  context: { provider?: string; root: string },
): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  const issue = result.issues[0]
  const path = issue.path?.map((item: { key: unknown }) => String(item.key)).join('.')
  const field = path ? `${context.root}.${path}` : context.root
  // valibot reports a missing key with its own wording, which quotes the key and "undefined".
  const message = issue.message.startsWith('Invalid key:') ? 'required' : issue.message
  throw new ErasureError(code, `${field}: ${message}`, { provider: context.provider })
}

/** Schemas whose messages describe the expectation only (valibot's defaults quote the input). */
export const text = (message = 'expected a non-empty string') =>
  v.pipe(v.string(message), v.minLength(1, message))

export const positiveInt = (message = 'expected a positive integer') =>
  v.pipe(v.number(message), v.integer(message), v.minValue(1, message))
