/** Replaces sensitive values (raw, URL-encoded, form-encoded and JSON-escaped forms, any letter case) in text. */
import { isFunction } from './retry'

/**
 * Returns `text` with every registered value replaced. Given `limit`, only the first `limit`
 * characters are scanned and kept (a value that starts before it is replaced whole), then `…`:
 * the cost of a vendor's megabyte-long error text is bounded, and no part of a value is left at the cut.
 */
export type Redactor = (text: string, limit?: number) => string

export const REDACTED = '***'

interface Needles {
  /** Every form of every value → its replacement. */
  map: Map<string, string>
  /** Distinct needle lengths, longest first. */
  lengths: number[]
  /** First characters: positions where no needle starts are skipped at once. */
  starts: Set<string>
  /** Values replaced only as a whole token: under 3 characters (a user id `42`, never inside `429`), an email's local part. */
  tokens: Map<string, string>
  /** Phone numbers by their digits: a vendor echoes them in its own format. */
  phones: Map<string, string>
}

/**
 * Case folding that keeps every position, applied alike to values and to the text they are found in
 * (matches are cut from the original): upper then lower case, so that dotless ı, which upper-cases
 * to I, meets i. Where that changes the length (ß, ᾳ), character by character; final sigma, which
 * depends on what follows, is plain sigma.
 */
function fold(text: string): string {
  const upper = text.toUpperCase()
  const whole = upper.length === text.length ? upper.toLowerCase() : ''
  return (whole.length === text.length ? whole : text.replace(/./gsu, foldChar)).replaceAll('ς', 'σ')
}

/** Upper case where it keeps the length, then lowerChar. */
function foldChar(char: string): string {
  const upper = char.toUpperCase()
  return lowerChar(upper.length === char.length ? upper : char)
}

/** Lower case where it keeps the length (ᾈ as ᾀ), else as it is (İ, whose lower case is longer). */
const lowerChar = (char: string) => (char.toLowerCase().length === char.length ? char.toLowerCase() : char)

/** Lower case with σ for ς, each character keeping its length (.NET's keeps İ): a case vendors write. */
const lower = (text: string) => text.replace(/./gsu, lowerChar).replaceAll('ς', 'σ')

/** A redactor's compiled needles, for redactors built on it (module-private). */
const NEEDLES = Symbol('needles')
type Compiled = Redactor & { [NEEDLES]?: () => Needles }

const hex = (char: string) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`
const escape = (text: string, chars: RegExp) => text.replace(chars, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)

function compileNeedles(entries: Iterable<readonly [string | undefined, string]>): Needles {
  const map = new Map<string, string>()
  const tokens = new Map<string, string>()
  const lengths = new Set<number>()
  const starts = new Set<string>()
  const phones = new Map<string, string>()
  /** One needle, folded (`whole`: replaced only where it stands alone). */
  const put = (form: string, replacement: string, whole: boolean) => {
    const key = fold(form)
    ;(whole ? tokens : map).set(key, replacement)
    lengths.add(key.length)
    starts.add(key[0]!)
  }
  /** Every form of `value` below, as a needle. */
  const addForms = (value: string, replacement: string, whole: boolean) => {
    const add = (form: string) => put(form, replacement, whole)
    // Vendors echo values re-encoded or re-cased (emails), and normalised: josé composed (é) or
    // decomposed (e + U+0301). Beyond ASCII, each as sent, lower-, upper-cased and folded: once encoded,
    // case is no longer folded away (%C3%A9 is not %C3%89). URL-encoded as encodeURIComponent
    // does, as RFC 3986 encoders do (Python's quote escapes ' ( ) * ! too), and as a form (`+` for
    // a space); JSON-escaped as JSON.stringify does, ASCII-only (Python's \u00e9, in either case),
    // as PHP does (\/) and as Go does (\u0026 for &, < and >).
    // A lone surrogate (half an emoji) cannot be URI-encoded; such a value is never sent (identifierProblem).
    const forms = new Set<string>()
    const ascii = !/[^\0-~]/.test(value)
    for (const normal of ascii ? [value] : new Set([value, value.normalize('NFC'), value.normalize('NFD')])) {
      for (const text of ascii ? [normal] : new Set([normal, normal.toLowerCase(), lower(normal), normal.toUpperCase(), fold(normal)])) {
        // Raw, case is folded away: another case only where folding cannot tell (ß upper-cased as SS).
        if (text === normal || text.length !== normal.length) forms.add(text)
        // Letters, digits, _ . - are the same in every encoding (most ids; a batch holds up to 10 000).
        if (/^[\w.-]*$/.test(text)) continue
        const uri = wellFormed(text) ? encodeURIComponent(text) : text
        forms.add(uri)
        if (/[ !'()*~]/.test(text)) {
          const strict = uri.replace(/[!'()*]/g, hex)
          forms.add(strict).add(strict.replaceAll('%20', '+')).add(uri.replace(/[!'()~]/g, hex).replaceAll('%20', '+'))
        }
        // Python's quote() keeps / (safe='/' by default).
        if (text.includes('/')) forms.add(uri.replace(/[!'()*]/g, hex).replaceAll('%2F', '/'))
        // What JSON, or PHP's, Go's or .NET's, escapes: quotes, backslashes, controls, / & < > (.NET
        // + ' ` too, and " as \u0022); beyond ASCII as \u00e9 (.NET: \u00E9, the same once folded).
        const json = JSON.stringify(text).slice(1, -1)
        if (ascii && json === text && !/[&/<>+'`]/.test(text)) continue
        for (const form of new Set([escape(json, /[^\0-~]/g), ...(/[\0-\x1f"&/<>\\]/.test(text) ? [json] : [])])) {
          forms.add(form).add(form.replaceAll('/', '\\/')).add(escape(form, /[&<>]/g)).add(escape(form, /[&<>+'`]/g)).add(escape(form, /[&<>+'`]/g).replaceAll('\\"', '\\u0022'))
        }
      }
    }
    forms.forEach(add)
  }
  for (const [value, replacement] of entries) {
    if (!value) continue
    addForms(value, replacement, value.length < 3)
    // A phone number comes back in the vendor's format (+79001234567 as +7 (900) 123-45-67 or
    // 79001234567): its digits alone, and spaced any way.
    const digits = phoneDigits(value)
    if (digits) {
      put(digits, replacement, false)
      phones.set(digits, replacement)
    }
    // Vendors echo part of an email ("jane.doe-77 is not subscribed"), or the address without its
    // +tag: both as written, in any case. The local part only when it is no word or number (a
    // letter, and a digit or . _ -; 5 characters or more) and where it stands alone, so that
    // `profile@` or `10000@` cuts nothing out of "Profile not found" or "within 10000 ms".
    const [, local = '', domain] = /^([^@\s]+)@([^@\s]+)$/.exec(value) ?? []
    const untagged = local.split('+')[0]!
    if (untagged && untagged !== local) put(`${untagged}@${domain}`, replacement, false)
    for (const part of [local, untagged]) if (part.length > 4 && /\p{L}/u.test(part) && /[\d._-]/.test(part)) put(part, replacement, true)
  }
  return { map, tokens, starts, phones, lengths: [...lengths].sort((a, b) => b - a) }
}

/** A phone number's digits (a vendor's format of it is matched by them), or '' for a value that is not one. Bare digits (an id, a date) are not. */
export function phoneDigits(value: string): string {
  const digits = /^\+?[\d\s().-]+$/.test(value) && /\D/.test(value) ? value.replace(/\D/g, '') : ''
  return digits.length > 5 ? digits : ''
}

// C0 controls, DEL, C1 controls (U+0085 is a line break to many parsers), and the Unicode line/paragraph separators.
export const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const WORD = /[\p{L}\p{N}_]/u
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
export const wellFormed = (text: string) => !LONE_SURROGATE.test(text)

const MARKER = /\[id(:[\da-f]{8})?\]/y

/** The separators phone formats put between digits (URL- and form-encoded too), when a digit follows. */
const SEPARATOR = /(?:[\s().\/+-]|%20){0,3}(?=\d)/y
/**
 * A character of the same token just before `i`: a word character, unless it ends an escape of
 * something else (`%2242`, `\u002242` and `\n42` are a quote or a newline, then `42`; `\u003442` is `442`).
 */
function wordBefore(text: string, i: number): boolean {
  const escape = /(?:%([\da-f]{2})|\\u([\da-f]{4})|\\[bfnrt])$/.exec(text.slice(Math.max(0, i - 6), i))
  // \n and the like decode to NaN: a control character, no word.
  return WORD.test(escape ? String.fromCharCode(parseInt((escape[1] ?? escape[2])!, 16)) : (text[i - 1] ?? ''))
}
const isDigit = (code: number) => code >= 48 && code <= 57

/** The longest needle starting at `i`, as [length, replacement]; a short value only as a whole token, a phone number however spaced. */
function match(needles: Needles | undefined, text: string, i: number): [number, string] | undefined {
  if (!needles?.starts.has(text[i]!)) return undefined
  let phone: [number, string] | undefined
  // E.164 numbers have at most 15 digits; a few more allow an extension (a longer value still matches as digits).
  for (let j = i, digits = ''; needles.phones.size && digits.length < 20 && isDigit(text.charCodeAt(j)); ) {
    digits += text[j++]
    const replacement = needles.phones.get(digits)
    if (replacement !== undefined) phone = [j - i, replacement]
    SEPARATOR.lastIndex = j
    j += SEPARATOR.exec(text)?.[0].length ?? 0
  }
  for (const size of needles.lengths) {
    if (size < (phone?.[0] ?? 0)) break
    // Past the end, a slice is shorter than `size`: a match there would claim the wrong length.
    if (i + size > text.length) continue
    const candidate = text.slice(i, i + size)
    const token = needles.tokens.get(candidate)
    const replacement = needles.map.get(candidate) ?? (token === undefined || wordBefore(text, i) || WORD.test(text[i + size] ?? '') ? undefined : token)
    if (replacement !== undefined) return [size, replacement]
  }
  return phone
}

/**
 * `entries` pairs each sensitive value with its replacement (`***` for secrets, `[id:…]` for
 * identifiers); `base` (another redactor from here) adds its values without copying them: an
 * eraser's secrets, compiled once, under every batch's identifiers. One left-to-right scan looks
 * up substrings of the needle lengths, longest first: the cost grows with the number of distinct
 * lengths, not of values (a batch holds up to 10 000 ids). Compiled on first use: a batch with nothing to redact
 * (no requestId, no error) never pays for it.
 */
export function createRedactor(entries: Iterable<readonly [string | undefined, string]>, base?: Redactor): Redactor {
  let own: Needles | undefined
  let inherited: Needles | undefined
  const compile = () => {
    if (!own) (own = compileNeedles(entries)), (inherited = (base as Compiled | undefined)?.[NEEDLES]?.())
    return own
  }
  // Outcomes of one batch carry the same requestId or error message: scan it once.
  let lastText: string | undefined
  let lastLimit: number | undefined
  let lastResult = ''
  const redact: Compiled = (text, limit = text.length) => {
    if (text === lastText && limit === lastLimit) return lastResult
    compile()
    // A limit that is no number (NaN) scans everything: never less redaction than none asked.
    const end = limit >= 0 ? Math.min(limit, text.length) : text.length
    const scanned = fold(text)
    let out = ''
    let done = 0
    let i = 0
    while (i < end) {
      // A marker already written (text redacted twice) is kept whole: an id may occur inside its hash.
      MARKER.lastIndex = i
      if (text[i] === '[' && MARKER.test(text)) {
        i = MARKER.lastIndex
        continue
      }
      const mine = match(own, scanned, i)
      const theirs = match(inherited, scanned, i)
      // The longest wins; on a tie, the base's (a secret's `***` over an identifier's marker).
      const found = mine && (!theirs || mine[0] > theirs[0]) ? mine : theirs
      if (!found) {
        i++
        continue
      }
      out += text.slice(done, i) + found[1]
      done = i += found[0]
    }
    lastText = text
    lastLimit = limit
    // What follows is dropped unscanned; a value or marker that started before `end` is kept whole,
    // and so is an emoji (a surrogate pair).
    const stop = i + +/[\uD800-\uDBFF]/.test(text[i - 1] ?? '')
    return (lastResult = done || stop < text.length ? out + text.slice(done, stop) + (stop < text.length ? '…' : '') : text)
  }
  redact[NEEDLES] = compile
  return redact
}

/** Redactor entries: each value with one replacement (`***` for secrets, `[id]` for identifiers). */
export const entriesOf = (values: Iterable<string | undefined>, replacement = REDACTED) => [...values].map((value) => [value, replacement] as const)

/** A plain object: no prototype, or any realm's Object.prototype (a vm context's, an iframe's). */
export function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value)
  return !prototype || !Object.getPrototypeOf(prototype)
}

/** Applies a redactor to every string inside a JSON-like value. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === 'string') return redact(value) as T
  if (!value || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T
  if (!isPlainObject(value) || isFunction((value as { toJSON?: unknown }).toJSON)) {
    // Shown as it is sent, as JSON (a Date, a class instance); what JSON cannot hold, not at all.
    try {
      return redactDeep(JSON.parse(JSON.stringify(value)), redact)
    } catch {
      return REDACTED as T
    }
  }
  // Keys too: vendors key per-id results by the id. Defined, not assigned: a "__proto__" key stays a key.
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)])) as T
}
