/** Replaces sensitive values (raw, URL-encoded and JSON-escaped forms) in text. */
export type Redactor = (text: string) => string

export const REDACTED = '***'

/**
 * `entries` pairs each sensitive value with its replacement (`***` for secrets,
 * `[id:…]` for identifiers). Compiled on first use: most batches never need it.
 */
export function createRedactor(entries: Iterable<readonly [string | undefined, string]>): Redactor {
  let rules: [string, string][] | undefined
  const compile = () => {
    const map = new Map<string, string>()
    for (const [value, replacement] of entries) {
      // Very short values would shred unrelated text; credentials and identifiers are longer.
      if (!value || value.length < 3) continue
      for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) map.set(form, replacement)
    }
    // Longest first, so a value that contains another is replaced whole.
    return [...map].sort((a, b) => b[0].length - a[0].length)
  }
  return (text) => {
    rules ??= compile()
    for (const [needle, replacement] of rules) if (text.includes(needle)) text = text.split(needle).join(replacement)
    return text
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
