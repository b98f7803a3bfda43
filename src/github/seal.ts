/** Sealed boxes, as GitHub documents for the secrets API. libsodium is loaded once. */
import sodium from 'libsodium-wrappers'

let ready: Promise<void> | undefined

export async function sealer(): Promise<(value: string, publicKeyBase64: string) => string> {
  ready ??= sodium.ready
  await ready
  return (value, publicKeyBase64) => {
    const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL)
    const sealed = sodium.crypto_box_seal(sodium.from_string(value), key)
    return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL)
  }
}
