/**
 * Proves that a new key works before anything depends on it. IAM is eventually consistent: a new
 * key can be refused for a few seconds, so this polls with short, growing intervals.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { clientsForKey, type StaticCredentials } from './clients.js'
import { errorName } from './errors.js'

export interface VerifyTarget {
  region: string
  userArn: string
  /** Listed (s3:ListBucket, which every bucket policy choice grants) when set. */
  bucket?: string
  timeoutMs: number
}

export interface VerifyResult {
  ok: boolean
  attempts: number
  waitedMs: number
  lastError?: string
}

const FIRST_DELAY_MS = 100
/**
 * The longest pause between two attempts: once IAM accepts the key, the step goes on within this
 * (plus one round trip). A poll is one or two cheap reads, so a short cap costs little.
 */
export const MAX_DELAY_MS = 500

export function nextDelay(previous: number): number {
  return Math.min(MAX_DELAY_MS, Math.round(previous * 1.5))
}

export async function verifyKey(
  credentials: StaticCredentials,
  target: VerifyTarget,
  sleep: (ms: number) => Promise<void> = ms => new Promise(r => setTimeout(r, ms))
): Promise<VerifyResult> {
  const clients = clientsForKey(target.region, credentials)
  const started = Date.now()
  let delay = FIRST_DELAY_MS
  let attempts = 0
  let lastError: string
  for (;;) {
    attempts++
    try {
      // Both checks at once: one round trip per attempt, not two.
      const [me] = await Promise.all([
        clients.sts.send(new GetCallerIdentityCommand({})),
        target.bucket
          ? clients.s3.send(new ListObjectsV2Command({ Bucket: target.bucket, MaxKeys: 1 }))
          : undefined
      ])
      if (me.Arn !== target.userArn)
        throw new Error(`key belongs to ${me.Arn}, not ${target.userArn}`)
      return { ok: true, attempts, waitedMs: Date.now() - started }
    } catch (e) {
      lastError = errorName(e) || (e instanceof Error ? e.message : String(e))
    }
    const elapsed = Date.now() - started
    if (elapsed + delay > target.timeoutMs)
      return { ok: false, attempts, waitedMs: elapsed, lastError }
    await sleep(delay)
    delay = nextDelay(delay)
  }
}
