/**
 * One CSV record per physical line (RFC 4180 quoting, `,` separator). A field cannot span lines:
 * subject lists never need it, and it keeps every line one subject, so a stray quote can never
 * swallow the lines after it and `line:<n>` refs stay stable between runs.
 */
export type CsvLine = { fields: string[] } | { error: string }

export function parseCsvLine(line: string): CsvLine {
  const fields: string[] = []
  let i = 0
  const n = line.length
  for (;;) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let value = ''
      let start = ++i
      for (;;) {
        const quote = line.indexOf('"', i)
        if (quote === -1) return { error: `quote opened at column ${start} is not closed on this line (fields cannot span lines)` }
        if (line.charCodeAt(quote + 1) === 34) {
          value += line.slice(start, quote + 1)
          i = start = quote + 2
          continue
        }
        value += line.slice(start, quote)
        i = quote + 1
        break
      }
      fields.push(value)
      if (i === n) return { fields }
      if (line.charCodeAt(i) !== 44 /* , */) return { error: `unexpected character after the closing quote at column ${i + 1}` }
      i++
    } else {
      const comma = line.indexOf(',', i)
      const end = comma === -1 ? n : comma
      const value = line.slice(i, end)
      const quote = value.indexOf('"')
      if (quote !== -1) return { error: `quote inside an unquoted field at column ${i + quote + 1}` }
      fields.push(value)
      if (comma === -1) return { fields }
      i = comma + 1
    }
  }
}
