const encoder = new TextEncoder()
const SHA256 = { name: 'SHA-256' }

/** SHA-256 hex of `salt + value` through Web Crypto: receipts prove which identifier was erased without holding it. */
export async function hashIdentifier(value: string, salt = ''): Promise<string> {
  const digest = await crypto.subtle.digest(SHA256, encoder.encode(salt + value))
  let hex = ''
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/** hashIdentifier once per distinct value: a subject's lanes often use the same identifier. */
export function createHasher(salt?: string): (value: string) => Promise<string> {
  const hashes = new Map<string, Promise<string>>()
  return (value) => hashes.get(value) ?? hashes.set(value, hashIdentifier(value, salt)).get(value)!
}
