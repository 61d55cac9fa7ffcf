/** Replaces sensitive values (raw, URL-encoded and JSON-escaped forms) in text. */
export type Redactor = (text: string) => string

export const REDACTED = '***'

/**
 * `entries` pairs each sensitive value with its replacement (`***` for secrets, `[id:…]` for
 * identifiers). One left-to-right scan looks up substrings of the needle lengths in a map, longest
 * first: the cost does not grow with the number of values (a batch holds up to 10 000 ids).
 * Compiled on first use: most batches never need it.
 */
export function createRedactor(entries: Iterable<readonly [string | undefined, string]>): Redactor {
  let needles: Map<string, string> | undefined
  let lengths: number[] = []
  let starts = new Set<string>()
  const compile = () => {
    const map = new Map<string, string>()
    for (const [value, replacement] of entries) {
      // Very short values would shred unrelated text; credentials and identifiers are longer.
      if (!value || value.length < 3) continue
      for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) map.set(form, replacement)
    }
    lengths = [...new Set([...map.keys()].map((key) => key.length))].sort((a, b) => b - a)
    starts = new Set([...map.keys()].map((key) => key[0]!))
    return map
  }
  // Outcomes of one batch carry the same requestId or error message: scan it once.
  let lastText: string | undefined
  let lastResult = ''
  return (text) => {
    if (text === lastText) return lastResult
    needles ??= compile()
    let out = ''
    let done = 0
    for (let i = 0; i < text.length; ) {
      const length = starts.has(text[i]!) ? lengths.find((size) => needles!.has(text.slice(i, i + size))) : undefined
      if (length === undefined) {
        i++
        continue
      }
      out += text.slice(done, i) + needles.get(text.slice(i, i + length))
      done = i += length
    }
    lastText = text
    return (lastResult = done ? out + text.slice(done) : text)
  }
}

export const secretEntries = (secrets: Iterable<string>) => [...secrets].map((secret) => [secret, REDACTED] as const)

/** Applies a redactor to every string inside a JSON-like value. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, redact)
    return out as T
  }
  return value
}
