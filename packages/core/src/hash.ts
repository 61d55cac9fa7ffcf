const encoder = new TextEncoder()
const SHA256 = { name: 'SHA-256' }
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'))

/** SHA-256 hex of `salt + value` through Web Crypto: receipts prove which identifier was erased without holding it. */
export async function hashIdentifier(value: string, salt = ''): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(SHA256, encoder.encode(salt + value)))
  return Array.from(digest, (byte) => HEX[byte]).join('')
}

/** hashIdentifier once per distinct value: a subject's lanes often use the same identifier. */
export function createHasher(salt?: string): (value: string) => Promise<string> {
  // A subject has a handful of values: pairs in an array cost less than a Map per subject.
  const seen: (string | Promise<string>)[] = []
  return (value) => {
    const i = seen.indexOf(value)
    if (i >= 0) return seen[i + 1] as Promise<string>
    const hash = hashIdentifier(value, salt)
    seen.push(value, hash)
    return hash
  }
}
