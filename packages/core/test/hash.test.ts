import { describe, expect, it } from 'vitest'
import { hashIdentifier } from '@erasekit/core'
import { sha256 } from '../src/hash'

const webCrypto = async (text: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))), (byte) => byte.toString(16).padStart(2, '0')).join('')

describe('sha256 (receipt hashes)', () => {
  it('matches the FIPS 180-4 / NIST example vectors', () => {
    expect(sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
    expect(sha256('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')).toBe(
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    )
    expect(sha256('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
  })

  it('agrees with crypto.subtle at every padding boundary and for any UTF-8', async () => {
    const inputs: string[] = []
    // 55/56 and 63/64/65 bytes: the length field fits in the last block or needs another one.
    for (let length = 0; length <= 130; length++) inputs.push('x'.repeat(length))
    inputs.push('é'.repeat(28), '漢字'.repeat(10), '😀'.repeat(14), 'user\u0000id', '\uD800 lone surrogate', 'ÿ'.repeat(64))
    for (let i = 0; i < 200; i++) {
      inputs.push(Array.from({ length: i % 90 }, () => String.fromCodePoint(Math.random() < 0.7 ? 32 + Math.floor(Math.random() * 95) : 0xa0 + Math.floor(Math.random() * 0x1ff00))).join(''))
    }
    for (const input of inputs) expect(sha256(input), JSON.stringify(input)).toBe(await webCrypto(input))
  })

  it('hashIdentifier prefixes the salt', async () => {
    expect(await hashIdentifier('user-1')).toBe(await webCrypto('user-1'))
    expect(await hashIdentifier('user-1', 'pepper')).toBe(await webCrypto('pepperuser-1'))
  })
})
