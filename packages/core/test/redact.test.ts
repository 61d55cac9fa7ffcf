import { describe, expect, it } from 'vitest'
import { createRedactor, REDACTED, redactDeep } from '@erasekit/core'

describe('createRedactor', () => {
  it('with a limit, scans and keeps only that much: a value that starts before the cut is replaced whole, nothing after it is kept', () => {
    const redact = createRedactor([['secret-value-123', REDACTED], ['jane@example.com', '[id]']])
    const text = `${'a'.repeat(3_990)}secret-value-123 then jane@example.com${' x'.repeat(500_000)}`
    expect(redact(text, 4_000)).toBe(`${'a'.repeat(3_990)}***…`)
    // One that starts at the cut is dropped with the rest; no part of one is ever kept.
    expect(redact(`${'a'.repeat(4_000)}secret-value-123`, 4_000)).toBe(`${'a'.repeat(4_000)}…`)
    expect(redact(`${'a'.repeat(3_999)}jane@example.com`, 4_000)).toBe(`${'a'.repeat(3_999)}[id]`)
    expect(redact('short secret-value-123', 4_000)).toBe('short ***')
    expect(redact('short and clean', 4_000)).toBe('short and clean')
    // A limit that is no number scans everything.
    expect(redact(text, Number.NaN)).toContain('*** then [id]')
    // The same text under another limit is not answered from the cache of the last one.
    expect(redact(text)).toContain('*** then [id]')
    // The cut never splits an emoji, nor a marker left by an earlier redaction.
    expect(redact(`${'a'.repeat(3_999)}😀 and more`, 4_000)).toBe(`${'a'.repeat(3_999)}😀…`)
    expect(redact(`${'a'.repeat(3_995)}[id:0123abcd] after`, 4_000)).toBe(`${'a'.repeat(3_995)}[id:0123abcd]…`)
  })

  it('replaces raw, URL-encoded and JSON-escaped forms, longest match first', () => {
    const redact = createRedactor([
      ['secret-1', REDACTED],
      ['secret-12', '[long]'],
      ['a b/c"d', '[id]'],
    ])
    expect(redact('x secret-12 y secret-1 z')).toBe('x [long] y *** z')
    expect(redact(`/users/${encodeURIComponent('a b/c"d')}?`)).toBe('/users/[id]?')
    expect(redact(JSON.stringify({ id: 'a b/c"d' }))).toBe('{"id":"[id]"}')
    expect(redact('nothing here')).toBe('nothing here')
  })

  it('matches any letter case and the form encoding of query strings ("+" for spaces), keeping the rest of the text', () => {
    const redact = createRedactor([['Jane.Doe@Example.com', '[id]'], ['John Doe+X@Example.COM', '[id:2]']])
    expect(redact('no customer jane.doe@example.com; JANE.DOE@EXAMPLE.COM!')).toBe('no customer [id]; [id]!')
    expect(redact('GET /u?email=John+Doe%2BX%40Example.COM&Keep=Case')).toBe('GET /u?email=[id:2]&Keep=Case')
    const odd = "o'k (a b)!~*"
    expect(createRedactor([[odd, '[id]']])(`?q=${new URLSearchParams({ q: odd }).toString().slice(2)}&${encodeURIComponent(odd)}`)).toBe('?q=[id]&[id]')
    // A character whose lower case is longer (U+0130) does not shift what follows.
    expect(redact('İ jane.doe@example.com Jane.Doe@Example.com İ')).toBe('İ [id] [id] İ')
  })

  it('matches a value composed or decomposed (NFC/NFD), and JSON-escaped as ASCII-only encoders write it', () => {
    const composed = 'jos\u00e9-PLANTED'
    const decomposed = 'jose\u0301-PLANTED'
    for (const value of [composed, decomposed]) {
      const redact = createRedactor([[value, '[id]']])
      expect(redact(`identity ${composed} / ${decomposed} / ${encodeURIComponent(composed)} / ${encodeURIComponent(decomposed)} rejected`)).toBe('identity [id] / [id] / [id] / [id] rejected')
      // Python storing NFD and escaping it: jose\u0301.
      expect(redact('no user jose\\u0301-planted')).toBe('no user [id]')
      // Python's json.dumps (ensure_ascii) inside a vendor's text: jos\u00e9, either case of hex.
      expect(redact('{"error":"no user jos\\u00e9-planted", "id":"JOS\\u00E9-PLANTED"}')).toBe('{"error":"no user [id]", "id":"[id]"}')
    }
    // Registered upper case, echoed lower-cased and escaped; quotes and non-ASCII escaped together.
    expect(createRedactor([['JOSÉ@EXAMPLE.COM', '[id]']])('no jos\\u00e9@example.com')).toBe('no [id]')
    expect(createRedactor([['Zoë "Z" Ünal', '[id]']])('{"name": "Zo\\u00eb \\"Z\\" \\u00dcnal"}')).toBe('{"name": "[id]"}')
  })

  it('matches what stricter encoders write: RFC 3986 percent-encoding, PHP\'s and Go\'s JSON escapes', () => {
    const redact = createRedactor([["O'Brien Smith", '[a]'], ['ab*cd!ef', REDACTED], ['tom&jerry@example.com', '[b]'], ['acme/tenant-7/user-42', '[c]'], ['tok<secret>&x', REDACTED]])
    // Python's quote() and quote_plus(), Java's and Go's strict escapers: ' ( ) * ! escaped too.
    expect(redact('invalid custom id O%27Brien%20Smith, O%27Brien+Smith')).toBe('invalid custom id [a], [a]')
    expect(redact('no route /1.0/ab%2Acd%21ef/data')).toBe('no route /1.0/***/data')
    // Python's quote() leaves / as it is (safe='/').
    expect(createRedactor([['ops/team@example.org', '[d]'], ["tenant/42 bob's", '[e]']])('no ops/team%40example.org, no tenant/42%20bob%27s')).toBe('no [d], no [e]')
    // Go escapes & < > in JSON; PHP escapes /.
    expect(redact('{"error":"unknown identity tom\\u0026jerry@example.com"}')).toBe('{"error":"unknown identity [b]"}')
    expect(redact('{"error":"no profile acme\\/tenant-7\\/user-42"}')).toBe('{"error":"no profile [c]"}')
    expect(redact('token tok\\u003csecret\\u003e\\u0026x refused')).toBe('token *** refused')
    // .NET's System.Text.Json escapes + ' ` as well, upper-case hex, and beyond ASCII.
    const dotnet = createRedactor([["o'brien+tag@example.com", '[d]'], ['zoë+1@example.com', '[e]'], ['"john doe"+x@example.com', '[f]']])
    expect(dotnet('{"message":"No profile \\u0022john doe\\u0022\\u002Bx@example.com"}')).toBe('{"message":"No profile [f]"}')
    // With the quote as JSON writes it and + escaped (Go with an HTML-escaping + filter), as before.
    expect(dotnet('{"message":"No profile \\"john doe\\"\\u002Bx@example.com"}')).toBe('{"message":"No profile [f]"}')
    expect(dotnet('{"message":"No profile o\\u0027brien\\u002Btag@example.com"}')).toBe('{"message":"No profile [d]"}')
    expect(dotnet('{"message":"No profile zo\\u00EB\\u002B1@example.com"}')).toBe('{"message":"No profile [e]"}')
  })

  it('matches a value beyond ASCII lower- or upper-cased and then encoded, and a whole value upper-cased with ß as SS', () => {
    const redact = createRedactor([['Élodie.Durand@example.fr', '[a]'], ['josé-PLANTED', '[b]'], ['straße-7', '[c]']])
    expect(redact(`?email=${encodeURIComponent('élodie.durand@example.fr')} or ${encodeURIComponent('ÉLODIE.DURAND@EXAMPLE.FR')}`)).toBe('?email=[a] or [a]')
    expect(redact('{"id":"JOS\\u00c9-PLANTED"}')).toBe('{"id":"[b]"}')
    expect(redact('no user STRASSE-7')).toBe('no user [c]')
    // Folded before it was encoded (Python's casefold(), then json.dumps): final sigma as σ; title case with İ.
    const greek = createRedactor([['ΟΔΥΣΣΕΥΣ', '[g]'], ['İkmωŁsq', '[t]']])
    // .NET's lower case keeps İ (and ı), then ASCII-escaped.
    expect(createRedactor([['İsmail Öztürk Kılıç', '[n]']])('no \\u0130smail \\u00f6zt\\u00fcrk k\\u0131l\\u0131\\u00e7')).toBe('no [n]')
    expect(greek('no \\u03bf\\u03b4\\u03c5\\u03c3\\u03c3\\u03b5\\u03c5\\u03c3 and \\u0130km\\u03c9\\u0142sq')).toBe('no [g] and [t]')
    // A letter whose upper case is longer (ᾳ → ΑΙ) still meets its title case (ᾼ), as Go upper-cases it.
    expect(createRedactor([['αᾳβ-7', '[id]']])('no ΑᾼΒ-7')).toBe('no [id]')
  })

  it('redacting twice changes nothing: an id that occurs inside another\'s marker is left alone', () => {
    const redact = createRedactor([['20231894', '[id:edbf8a71]'], ['1894', '[id:20231894]'], ['8a71', '[id]']])
    const once = redact('unknown users: 1894, 20231894')
    expect(once).toBe('unknown users: [id:20231894], [id:edbf8a71]')
    expect(redact(`${once} `)).toBe(`${once} `)
  })

  it('folds values and text alike: U+0130, final sigma, astral capitals and dotless ı still match', () => {
    const redact = createRedactor([['İlker@example.com', '[a]'], ['ΚΩΔΙΚΟΣ', '[b]'], ['𐐀user', '[c]'], ['yıldız.kaya-1987', '[d]']])
    expect(redact('no user İlker@example.com')).toBe('no user [a]')
    // ı upper-cases to I, whose lower case is i.
    expect(redact('unknown YILDIZ.KAYA-1987, yildiz.kaya-1987')).toBe('unknown [d], [d]')
    expect(redact('ΚΩΔΙΚΟΣabc κωδικος 𐐨USER İ 𐐀user')).toBe('[b]abc [b] [c] İ [c]')
  })

  it('redacts values under 3 characters as whole tokens only, and stays correct with thousands of values', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => [`user-${i}@example.org`, `[id:${i}]`] as const)
    const redact = createRedactor([['ab', '***'], ...ids])
    expect(redact('ab user-4999@example.org, user-7@example.org.')).toBe('*** [id:4999], [id:7].')
    const short = createRedactor([['42', '[id:73475cb4]'], ['é', '[id]']])
    expect(short('HTTP 400: no such user 42')).toBe('HTTP 400: no such user [id:73475cb4]')
    expect(short('/users/42?x=1 and /users/42')).toBe('/users/[id:73475cb4]?x=1 and /users/[id:73475cb4]')
    // Inside a longer token it is another value: a 429, an id a42, 42ms.
    expect(short('HTTP 429 for a42 after 42ms, 2042')).toBe('HTTP 429 for a42 after 42ms, 2042')
    expect(short('name=%C3%A9&x=É, café')).toBe('name=[id]&x=[id], café')
    // After a %XX escape (a quote: %22) it stands alone; not in %2429.
    expect(short('q=%7B%22id%22%3A%2242%22%7D, %2429')).toBe('q=%7B%22id%22%3A%22[id:73475cb4]%22%7D, %2429')
    // And after a JSON escape of something that is no letter or digit (.NET writes a quote as \u0022; a
    // newline \n); not in \u004429, nor after an escaped digit or letter (\u0034 is 4, %34 too: 442).
    expect(short('{"m":"no user \\u002242\\u0022, \\u002C42\\n42\\t42"} \\u004429 \\u003442 %3442 Ren\\u00e942')).toBe('{"m":"no user \\u0022[id:73475cb4]\\u0022, \\u002C[id:73475cb4]\\n[id:73475cb4]\\t[id:73475cb4]"} \\u004429 \\u003442 %3442 Ren\\u00e942')
    // After \r, \b and \f as after \n and \t (a control character is no word); and where the escape opens the text.
    expect(short('\\r42 \\b42 \\f42')).toBe('\\r[id:73475cb4] \\b[id:73475cb4] \\f[id:73475cb4]')
    expect(short('\\n42 not found')).toBe('\\n[id:73475cb4] not found')
    expect(short('%2242')).toBe('%22[id:73475cb4]')
    // From 3 characters a value is cut out inside a longer token too.
    expect(createRedactor([['u42', '[id:8]']])('user_u42x')).toBe('user_[id:8]x')
  })

  it('adds a base redactor\'s values, the longest match winning across both, and leaves the base as it was', () => {
    const secrets = createRedactor([['key-0123456789', REDACTED]])
    const batch = createRedactor([['key-01', '[id:a]'], ['user-42@example.org', '[id:b]']], secrets)
    expect(batch('key-0123456789 key-01 user-42%40example.org')).toBe('*** [id:a] [id:b]')
    expect(secrets('key-01 user-42@example.org key-0123456789')).toBe('key-01 user-42@example.org ***')
    // A redactor not made by createRedactor adds nothing (and breaks nothing).
    expect(createRedactor([['user-42', '[id]']], (text) => text)('user-42 key-0123456789')).toBe('[id] key-0123456789')
  })

  it('a value that is both a secret and an identifier is a secret, at the end of the text too, whatever other lengths are known', () => {
    const secrets = createRedactor([['abc1234', REDACTED]])
    for (const others of [[], [['some-longer-identifier', '[id]'] as const]]) {
      const batch = createRedactor([['abc1234', '[id]'], ...others], secrets)
      expect([batch('abc1234'), batch('x abc1234 y'), batch('x abc1234')]).toEqual(['***', 'x *** y', 'x ***'])
    }
  })
})

describe('createRedactor: odd values', () => {
  it('a phone number echoed back as digits only, and a value with half a surrogate pair, are redacted without throwing', () => {
    const redact = createRedactor([['+7 (900) 123-45-67', '[id:1]'], [`x\uDC00y@example.com`, '[id:2]']])
    expect(redact('Profile with phone 79001234567 not found')).toBe('Profile with phone [id:1] not found')
    expect(redact(`no such email x\uDC00y@example.com`)).toBe('no such email [id:2]')
  })

  it('a phone number echoed in the vendor\'s own format is redacted, wherever its digits run', () => {
    const redact = createRedactor([['+79001234567', '[id:1]'], ['+44 20 7946 0958', '[id:2]'], ['user-1', '[id:3]']])
    for (const echoed of ['+7 (900) 123-45-67', '7 900 123 45 67', '+7-900-123-45-67', '7.900.123.45.67', '7(900)1234567', '79001234567'])
      expect(redact(`phone ${echoed} not found`)).toBe(`phone ${echoed.startsWith('+') ? '+' : ''}[id:1] not found`)
    expect(redact('tel:+442079460958, (020) 7946 0958; 44-20-7946-0958')).toBe('tel:+[id:2], (020) 7946 0958; [id:2]')
    // Inside a longer number, next to another phone, and the rest of the run kept as it was.
    expect(redact('ids 1-79001234567-2 and 79001234567 442079460958')).toBe('ids 1-[id:1]-2 and [id:1] [id:2]')
    // Other numbers, and a phone's digits spread over unrelated text, are left alone.
    expect(redact('HTTP 429 after 7900 ms, order 123-45-67, 7 | 900 123 45 67')).toBe('HTTP 429 after 7900 ms, order 123-45-67, 7 | 900 123 45 67')
    // A base redactor's phones too.
    const batch = createRedactor([['a@example.com', '[id:4]']], createRedactor([['+1 (415) 555-0100', '[id:5]']]))
    expect(batch('a@example.com / 1-415-555-0100')).toBe('[id:4] / [id:5]')
    // Echoed in a query string, form- or URL-encoded.
    expect(redact('?phone=%2B7+900+123-45-67&p=%2B7%20900%20123%2045%2067')).toBe('?phone=%2B[id:1]&p=%2B[id:1]')
  })

  it('an email echoed in part: its local part standing alone (no word or number, 5+ characters), the address without its +tag', () => {
    const redact = createRedactor([['Jane.Doe-77+gdpr@leak-probe.example', '[id:1]'], ['j_smith@example.com', '[id:2]'], ['bob.7@example.com', '[id:3]']])
    expect(redact('no subscriber jane.doe-77 at leak-probe.example')).toBe('no subscriber [id:1] at leak-probe.example')
    expect(redact('"JANE.DOE-77+GDPR" unknown; jane.doe-77@leak-probe.example unknown')).toBe('"[id:1]" unknown; [id:1] unknown')
    // The whole address still wins; a local part is cut out only where it stands alone.
    expect(redact('Jane.Doe-77+gdpr@leak-probe.example, j_smith, j_smiths, xj_smith')).toBe('[id:1], [id:2], j_smiths, xj_smith')
    expect(redact('bob.7 said hi')).toBe('[id:3] said hi')
    // After a JSON escape of a quote (\u0022, as .NET writes it) or a newline it stands alone too.
    expect(redact('{"error":"no \\u0022jane.doe-77\\u0022", "m":"a\\njane.doe-77 unknown"}')).toBe('{"error":"no \\u0022[id:1]\\u0022", "m":"a\\n[id:1] unknown"}')
    // A local part that is a word or a number is left in the text (an address `profile@`, `10000@`, `bob@`).
    const words = createRedactor([['profile@example.com', '[id:4]'], ['10000@qq.com', '[id:5]'], ['bob@example.com', '[id:6]']])
    expect(words('Profile not found; no response within 10000 ms; bob said hi')).toBe('Profile not found; no response within 10000 ms; bob said hi')
    // Under 5 characters a local part is left in the text (ab.1 is as likely a fragment of something else).
    expect(createRedactor([['ab.1@example.com', '[id:7]']])('code ab.1 unknown')).toBe('code ab.1 unknown')
  })

  it('bare digits (an id, a date) are matched as they are, not spaced; a value longer than a phone still matches as digits', () => {
    const redact = createRedactor([['20240115', '[id:1]'], ['1234 5678 9012 3456 7890 12', '[id:2]']])
    expect(redact('at 2024-01-15T10:00:00Z for 20240115')).toBe('at 2024-01-15T10:00:00Z for [id:1]')
    expect(redact('id=1234567890123456789012')).toBe('id=[id:2]')
    // The same digits as a phone and as the lane's own id: the exact value's label wins.
    const both = createRedactor([['+79001234567', '[id]'], ['79001234567', '[id:hash]']])
    expect(both('user 79001234567, phone +7 900 123 45 67')).toBe('user [id:hash], phone +[id]')
  })

  it('redactDeep redacts keys, null-prototype objects and class instances (as the JSON they are sent as)', () => {
    const redact = createRedactor([['a@example.com', '[id:1]'], ['b@example.com', '[id:2]'], ['tok_secret', REDACTED]])
    class Payload {
      constructor(readonly user = 'a@example.com') {}
    }
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { 'b@example.com': 'tok_secret' })
    const copy = redactDeep({ results: { 'a@example.com': 'deleted', 'b@example.com': 'deleted' }, bare, payload: new Payload(), at: new Date(0), big: { toJSON: () => 1n } }, redact)
    expect(copy).toEqual({ results: { '[id:1]': 'deleted', '[id:2]': 'deleted' }, bare: { '[id:2]': REDACTED }, payload: { user: '[id:1]' }, at: '1970-01-01T00:00:00.000Z', big: REDACTED })
  })

  it('redactDeep keeps a "__proto__" key of a parsed body as a key, redacted, without touching the copy\'s prototype', () => {
    const redact = createRedactor([['a@example.com', '[id]']])
    const body = JSON.parse('{"__proto__":{"email":"a@example.com"},"ok":["a@example.com"]}')
    const copy = redactDeep(body, redact) as Record<string, unknown>
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect(Object.getOwnPropertyNames(copy)).toEqual(['__proto__', 'ok'])
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"email":"[id]"},"ok":["[id]"]}')
  })
})
