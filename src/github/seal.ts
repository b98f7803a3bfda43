/**
 * Sealed boxes, as GitHub documents for the secrets API. libsodium (half a megabyte of WebAssembly
 * and glue) is loaded once, and only when a secret is sealed: not at start-up, and not at all by
 * a run that writes none. `sealer()` may be called early to load it while other work waits.
 */
type Sodium = (typeof import('libsodium-wrappers'))['default']

let loading: Promise<Sodium> | undefined

export async function sealer(): Promise<(value: string, publicKeyBase64: string) => string> {
  loading ??= import('libsodium-wrappers').then(async ({ default: sodium }) => {
    await sodium.ready
    return sodium
  })
  const sodium = await loading
  return (value, publicKeyBase64) => {
    const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL)
    const sealed = sodium.crypto_box_seal(sodium.from_string(value), key)
    return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL)
  }
}
