/**
 * Proves that a new key works before anything depends on it. IAM is eventually consistent: a new
 * key can be refused for a few seconds, and by S3 for a while after STS accepts it, and a new
 * inline policy may take seconds to apply in S3; so this polls, with short, growing intervals,
 * both STS and the bucket (a read: nothing is written into it).
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { clientsForKey, type StaticCredentials } from './clients.js'
import { errorText } from '../errors.js'
import { errorName } from './errors.js'

export interface VerifyTarget {
  region: string
  userArn: string
  /** Listed (ListObjectsV2, at most one key) when set. */
  bucket?: string
  /**
   * What the listing must show: 'list' (the default) that the key may list the bucket, which
   * every policy the action writes grants; 'known' only that S3 knows the key (AccessDenied
   * counts: a customer-managed policy may grant anything), not that it is refused as unknown.
   */
  s3Access?: 'list' | 'known'
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
    const problem = await attempt(clients, target)
    if (problem === undefined) return { ok: true, attempts, waitedMs: Date.now() - started }
    lastError = problem
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

/** One attempt: STS and the bucket at once (one round trip, not two); what failed, if anything. */
async function attempt(
  clients: ReturnType<typeof clientsForKey>,
  target: VerifyTarget
): Promise<string | undefined> {
  const [identity, bucket] = await Promise.all([
    clients.sts.send(new GetCallerIdentityCommand({})).then(
      // Not an AWS error: its text, not its name ('Error'), says what was wrong.
      me =>
        me.Arn === target.userArn
          ? undefined
          : `the key belongs to ${me.Arn}, not ${target.userArn}`,
      (e: unknown) => errorName(e) || errorText(e)
    ),
    target.bucket === undefined ? undefined : s3Problem(clients, target.bucket, target.s3Access)
  ])
  return identity ?? bucket
}

async function s3Problem(
  clients: ReturnType<typeof clientsForKey>,
  bucket: string,
  access: VerifyTarget['s3Access'] = 'list'
): Promise<string | undefined> {
  try {
    await clients.list(bucket)
    return undefined
  } catch (e) {
    // S3 refused what the key may do, not the key itself: it knows the key.
    if (access === 'known' && errorName(e) === 'AccessDenied') return undefined
    return `${errorName(e) || errorText(e)} from S3 (ListObjectsV2 on ${bucket})`
  }
}
