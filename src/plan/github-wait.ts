/**
 * How long to wait for GitHub's rate limits before a request is tried again, as GitHub documents
 * it ("Rate limits for the REST API"): on a secondary rate limit, retry-after when present; else,
 * with x-ratelimit-remaining 0, until x-ratelimit-reset; else at least a minute, longer with each
 * retry. A run waits at most MAX_RATE_LIMIT_WAIT_SECONDS at a time and retries a request at most
 * RATE_LIMIT_RETRIES times: beyond that it fails and says when to run it again.
 */

/** How often a rate-limited request is tried again before the run gives up on it. */
export const RATE_LIMIT_RETRIES = 4

/** The longest single wait for a rate limit; GitHub's own fallback (a minute) fits in it. */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 300

/** GitHub's wait when it gives none: "at least one minute", doubled with each retry. */
export const SECONDARY_LIMIT_FALLBACK_SECONDS = 60

export type ResponseHeaders = Record<string, string | number | undefined>

/**
 * The wait GitHub's answer asks for, in whole seconds (at least 1): retry-after, or with the
 * primary limit spent the time until x-ratelimit-reset (plus a second, to come after it).
 * Undefined when the answer names no wait.
 */
export function askedWaitSeconds(headers: ResponseHeaders, nowMs: number): number | undefined {
  const retryAfter = numeric(headers['retry-after'])
  if (retryAfter !== undefined && retryAfter >= 0) return Math.max(1, Math.ceil(retryAfter))
  const reset = numeric(headers['x-ratelimit-reset'])
  if (String(headers['x-ratelimit-remaining']) === '0' && reset !== undefined)
    return Math.max(1, Math.ceil(reset - nowMs / 1000) + 1)
  return undefined
}

/** The wait before retry number `retries + 1` of a request refused by a secondary rate limit. */
export function secondaryLimitWaitSeconds(
  headers: ResponseHeaders,
  nowMs: number,
  retries: number
): number {
  return askedWaitSeconds(headers, nowMs) ?? SECONDARY_LIMIT_FALLBACK_SECONDS * 2 ** retries
}

/** Whether a run should rather fail than wait this long. */
export function waitsTooLong(seconds: number): boolean {
  return seconds > MAX_RATE_LIMIT_WAIT_SECONDS
}

function numeric(value: string | number | undefined): number | undefined {
  if (value === undefined || String(value).trim() === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}
