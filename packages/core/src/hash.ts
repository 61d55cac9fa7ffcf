const encoder = new TextEncoder()
const SHA256 = { name: 'SHA-256' }

/** SHA-256 hex of `salt + value` through Web Crypto: receipts prove which identifier was erased without holding it. */
export async function hashIdentifier(value: string, salt = ''): Promise<string> {
  const digest = await crypto.subtle.digest(SHA256, encoder.encode(salt + value))
  let hex = ''
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0')
  return hex
}
