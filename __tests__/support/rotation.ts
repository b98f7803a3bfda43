/** What the rotation tests share (rotation.test.ts, rotation-failures.test.ts). */
import { CreateAccessKeyCommand, ListUserTagsCommand } from '@aws-sdk/client-iam'
import type { AwsCreds } from './moto.js'
import { assertNoSecretLeak, type RunResult } from './run-action.js'
import { openWorld, type World } from './world.js'

export const USER = 'octo-org+octo-repo'
/** Not a marker: the ownership tag every user the action made carries. */
export const OWNERSHIP_TAG = 's3-credentials-action:repository'
export const PENDING_TAG = 's3-credentials-action:pending'
export const LOCK_TAG = 's3-credentials-action:rotation'

/** A provisioned repository: user, bucket, one active key, four secrets. */
export async function provisioned(): Promise<{ w: World; pair: AwsCreds }> {
  const w = await openWorld({ auth: true })
  const first = await w.run()
  expect(first.code).toBe(0)
  const pair = w.storedPair()!
  expect(await w.works(pair)).toBe(true)
  w.aws.reset()
  return { w, pair }
}

/** Id and secret only (the SDK adds bookkeeping to credentials objects it used). */
export function plain(p: AwsCreds | undefined): AwsCreds | undefined {
  return p && { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey }
}

export async function userTags(w: World): Promise<Record<string, string>> {
  const out = await w.iam().send(new ListUserTagsCommand({ UserName: USER }))
  return Object.fromEntries((out.Tags ?? []).map(t => [t.Key!, t.Value!]))
}

/** The action's own tags on the user (marker and pending key): none once a run is over. */
export async function markerTags(w: World): Promise<string[]> {
  return Object.keys(await userTags(w)).filter(
    k =>
      k.startsWith('s3-credentials-action:') &&
      k !== OWNERSHIP_TAG &&
      // Not markers: the record of the run that made each key (issue 17).
      !k.startsWith('s3-credentials-action:key:')
  )
}

export async function createKey(w: World): Promise<AwsCreds> {
  const out = await w.iam().send(new CreateAccessKeyCommand({ UserName: USER }))
  return {
    accessKeyId: out.AccessKey!.AccessKeyId!,
    secretAccessKey: out.AccessKey!.SecretAccessKey!
  }
}

export function secretPuts(w: World, since: number, name: string): number {
  return w.github.requests
    .slice(since)
    .filter(r => r.method === 'PUT' && r.path.endsWith(`/secrets/${name}`)).length
}

/** Keys the secrets of `repo` (decrypted by the stand-in) and the outputs must never show. */
export function noLeak(r: RunResult, ...pairs: (AwsCreds | undefined)[]): void {
  assertNoSecretLeak(
    r,
    pairs.filter((p): p is AwsCreds => p !== undefined).map(p => p.secretAccessKey)
  )
}
