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

/**
 * A schema from a predicate, with a message that describes the expectation only (valibot's
 * defaults quote the input). One primitive for every core check keeps the bundle small.
 */
export const is = <T>(test: (value: unknown) => boolean, message: string) => v.custom<T>(test, message)

export const text = (message = 'expected a non-empty string') => is<string>((value) => typeof value === 'string' && value !== '', message)

export const positiveInt = (message = 'expected a positive integer') =>
  is<number>((value) => Number.isInteger(value) && (value as number) > 0, message)

export const nonNegative = (message = 'expected a number, 0 or more') => is<number>((value) => typeof value === 'number' && value >= 0, message)
