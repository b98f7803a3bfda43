/** Sealed boxes, as GitHub documents for the secrets API (libsodium's crypto_box_seal). */
import sodium from 'libsodium-wrappers'

export type Seal = (value: string, publicKeyBase64: string) => string

/** libsodium's WebAssembly must be ready before the first seal. */
export async function sealer(): Promise<Seal> {
  await sodium.ready
  return (value, publicKeyBase64) => {
    const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL)
    const sealed = sodium.crypto_box_seal(sodium.from_string(value), key)
    return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL)
  }
}
