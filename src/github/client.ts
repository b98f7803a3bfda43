/**
 * Octokit for the secrets API, with GitHub's throttling and retry plugins: retry-after and
 * secondary rate limits are honoured by the plugins, never by hand-written loops here. A small
 * plugin before them gives a secondary limit without retry-after the wait GitHub documents for it;
 * a wait longer than a run makes is not made (the request fails, and the error says when to run
 * again). On top of them, a WritePacer bounds how many writes are in flight and slows them down
 * once GitHub says they come too fast.
 */
import { getOctokit } from '@actions/github'
import type { Octokit } from '@octokit/core'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
import {
  RATE_LIMIT_RETRIES,
  secondaryLimitWaitSeconds,
  waitsTooLong,
  type ResponseHeaders
} from '../plan/github-wait.js'
import { Slots } from './slots.js'

/**
 * @actions/github's getOctokit, as the project's stack prescribes: it brings GITHUB_API_URL (GitHub
 * Enterprise Server) and the runner's proxy settings; the two plugins are added to it.
 */
export type GitHubClient = ReturnType<typeof getOctokit>

/**
 * Content-creating requests (PUT, POST, PATCH, DELETE) in flight at once. GitHub asks for writes
 * to be made one after another rather than concurrently; four keeps a run of four secrets quick
 * while a rate-limited write holds its slot until the plugin has retried it, so that the queue
 * stops behind it instead of running into the limit again.
 */
export const WRITE_CONCURRENCY = 4

/** Paced writes stay this far under the rate GitHub accepted before it answered with a limit. */
const PACE_MARGIN = 0.9

const CONTENT_CREATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Paces content-creating requests from GitHub's own feedback. GitHub documents a secondary limit
 * of about 80 content-creating requests a minute (and 500 an hour) but reports the window only
 * through retry-after. Until the first limit, writes run as fast as WRITE_CONCURRENCY allows. When
 * a write is refused with retry-after R seconds, the writes GitHub accepted in the R seconds before
 * are what it allows per R seconds: from then on, writes start evenly spaced at PACE_MARGIN of
 * that rate, so the rest of the run is not refused again. Each further refusal (after R seconds)
 * lowers the rate again. The refused write itself is retried by the throttling plugin.
 */
export class WritePacer {
  private readonly slots = new Slots(WRITE_CONCURRENCY)
  /** When each accepted write completed (ms), newest last. */
  private readonly accepted: number[] = []
  private pacedAt = Number.NEGATIVE_INFINITY
  private perWindow: number | undefined
  /** Milliseconds between the starts of two writes; 0 until GitHub first refuses one. */
  spacingMs = 0

  constructor(private readonly now: () => number = Date.now) {}

  schedule<T>(write: () => Promise<T>): Promise<T> {
    return this.slots.run(async () => {
      const result = await write()
      this.accepted.push(this.now())
      return result
    })
  }

  /**
   * GitHub refused a write for `retryAfterSeconds`: pace the writes still to come. True when the
   * pace changed (false for the other writes refused in the same burst).
   */
  limited(retryAfterSeconds: number): boolean {
    const now = this.now()
    const windowMs = Math.max(1, retryAfterSeconds) * 1000
    // The writes in flight when the limit struck are refused together: one adjustment for all.
    if (now - this.pacedAt < windowMs) return false
    const recent = this.accepted.filter(at => now - at < windowMs).length
    const allowed = Math.min(recent, this.perWindow ?? recent)
    this.perWindow = Math.max(1, Math.floor(allowed * PACE_MARGIN))
    this.spacingMs = Math.ceil(windowMs / this.perWindow)
    this.pacedAt = now
    this.slots.spacingMs = this.spacingMs
    return true
  }
}

/**
 * A throttling plugin handler: says what happened, then retries up to RATE_LIMIT_RETRIES times,
 * unless GitHub asks to wait longer than a run waits (the request then fails at once).
 */
function retryUnlessTooLong(
  say: (retryAfter: number, options: { method: string; url: string }) => void
): (
  retryAfter: number,
  options: { method: string; url: string },
  _o: unknown,
  retryCount: number
) => boolean {
  return (retryAfter, options, _o, retryCount) => {
    if (waitsTooLong(retryAfter)) return false
    say(retryAfter, options)
    return retryCount < RATE_LIMIT_RETRIES
  }
}

export function createGitHubClient(
  token: string,
  log: { warning: (m: string) => void; debug: (m: string) => void },
  pacer: WritePacer = new WritePacer()
): GitHubClient {
  // GITHUB_API_URL (GitHub Enterprise Server, or a test stand-in) is read by getOctokit itself.
  const octokit = getOctokit(
    token,
    {
      throttle: {
        // The plugin's own write group only spaces the starts of writes (one a second by
        // default); the WritePacer below does that from GitHub's feedback instead.
        write: new Bottleneck.Group({ id: 'octokit-write', minTime: 0 }),
        onRateLimit: retryUnlessTooLong((retryAfter, options) =>
          log.warning(
            `GitHub rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s.`
          )
        ),
        onSecondaryRateLimit: retryUnlessTooLong((retryAfter, options) => {
          const message = `GitHub secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s`
          if (pacer.limited(retryAfter))
            log.warning(`${message}; from now on one write every ${pacer.spacingMs} ms.`)
          else log.debug(`${message}.`)
        })
      },
      retry: { doNotRetry: [400, 401, 403, 404, 409, 422, 451] }
    },
    documentedWaits,
    throttling,
    retry
  )
  // Registered after the plugins, so it wraps them: a write holds its slot through their retries.
  octokit.hook.wrap('request', (request, options) =>
    CONTENT_CREATING.has(options.method)
      ? pacer.schedule(async () => request(options))
      : request(options)
  )
  return octokit
}

/**
 * The throttling plugin waits retry-after on a secondary rate limit, or 60 s whenever GitHub sends
 * none, even with x-ratelimit-reset a second away or an hour away. Listed before it, this plugin
 * sees GitHub's answer first and writes the wait GitHub documents (secondaryLimitWaitSeconds) into
 * retry-after, the one header the plugin reads: so the plugin still does the waiting and retrying.
 */
export function documentedWaits(octokit: Octokit): void {
  const retries = new WeakMap<object, number>()
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options)
    } catch (e) {
      const headers = secondaryLimitHeaders(e)
      if (headers) {
        const n = retries.get(options) ?? 0
        retries.set(options, n + 1)
        headers['retry-after'] = String(secondaryLimitWaitSeconds(headers, Date.now(), n))
      }
      throw e
    }
  })
}

/** The response headers of a secondary rate limit (as the throttling plugin recognizes one). */
function secondaryLimitHeaders(e: unknown): ResponseHeaders | undefined {
  const err = e as { status?: number; message?: string; response?: { headers?: ResponseHeaders } }
  const limited =
    (err.status === 403 || err.status === 429) && /\bsecondary rate\b/i.test(err.message ?? '')
  return limited ? err.response?.headers : undefined
}
