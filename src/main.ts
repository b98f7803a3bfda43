import * as core from '@actions/core'
import sodium from 'libsodium-wrappers'
import { IAMClient } from '@aws-sdk/client-iam'

export async function run(): Promise<void> {
  await sodium.ready
  core.info(`hello ${typeof IAMClient} ${sodium.crypto_box_SEALBYTES}`)
}
