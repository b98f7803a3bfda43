/**
 * Proves that a new key works before anything depends on it. IAM is eventually consistent: a new
 * key can be refused for a few seconds, so this polls with short, growing intervals.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { clientsForKey, type StaticCredentials } from './clients.js'
import { errorText } from '../errors.js'
import { errorName } from './errors.js'

export interface VerifyTarget {
  region: string
  userArn: string
  /** Listed (s3:ListBucket, which every bucket policy choice grants) when set. */
  bucket?: string
  timeoutMs: number
  /** The action's user agent (clients.ts actionUserAgent), so the key's calls name the run too. */
  userAgent?: string
}

export interface VerifyResult {
  ok: boolean
  attempts: number
  waitedMs: number
  lastError?: string
}

const FIRST_DELAY_MS = 100
/**
 * The longest time between the starts of two attempts: once IAM accepts the key, the next attempt
 * comes within this, and the step goes on a round trip later. An attempt is two cheap reads
 * (GetCallerIdentity is free), so a short cap costs little.
 */
export const MAX_DELAY_MS = 300

export function nextDelay(previous: number): number {
  return Math.min(MAX_DELAY_MS, Math.round(previous * 1.5))
}

export async function verifyKey(
  credentials: StaticCredentials,
  target: VerifyTarget,
  sleep: (ms: number) => Promise<void> = ms => new Promise(r => setTimeout(r, ms))
): Promise<VerifyResult> {
  const clients = clientsForKey(target.region, credentials, target.userAgent)
  const started = Date.now()
  let delay = FIRST_DELAY_MS
  let attempts = 0
  let lastError: string
  for (;;) {
    attempts++
    const attemptStarted = Date.now()
    try {
      // Both checks at once: one round trip per attempt, not two.
      const [me] = await Promise.all([
        clients.sts.send(new GetCallerIdentityCommand({})),
        target.bucket ? clients.list(target.bucket) : undefined
      ])
      if (me.Arn !== target.userArn) {
        // Not an AWS error: its text, not its name ('Error'), says what was wrong.
        lastError = `the key belongs to ${me.Arn}, not ${target.userArn}`
      } else {
        return { ok: true, attempts, waitedMs: Date.now() - started }
      }
    } catch (e) {
      lastError = errorName(e) || errorText(e)
    }
    const elapsed = Date.now() - started
    if (elapsed + delay > target.timeoutMs)
      return { ok: false, attempts, waitedMs: elapsed, lastError }
    // The delay runs from the start of the attempt: a slow answer does not add to it.
    await sleep(Math.max(0, delay - (Date.now() - attemptStarted)))
    // A late timer (a busy machine) must not start an attempt past the bound.
    if (Date.now() - started >= target.timeoutMs)
      return { ok: false, attempts, waitedMs: Date.now() - started, lastError }
    delay = nextDelay(delay)
  }
}
