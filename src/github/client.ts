/**
 * Octokit for the secrets API, with GitHub's throttling and retry plugins: retry-after and
 * secondary rate limits are honoured by the plugins, never by hand-written loops here.
 */
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'

export type GitHubClient = ReturnType<typeof getOctokit>

/** How often a rate-limited request is tried again before the run gives up on it. */
const RATE_LIMIT_RETRIES = 4

/**
 * Content-creating requests run a few at a time. The plugin's default (one write a second) would
 * make every run wait seconds for four secrets; GitHub's secondary limit is about 80 writes a
 * minute, and when a run needs more the 403 with retry-after is honoured by the plugin.
 */
const WRITE_CONCURRENCY = 4

export function createGitHubClient(
  token: string,
  log: { warning: (m: string) => void; debug: (m: string) => void }
): GitHubClient {
  // GITHUB_API_URL (GitHub Enterprise Server, or a test stand-in) is read by getOctokit itself.
  return getOctokit(
    token,
    {
      throttle: {
        write: new Bottleneck.Group({
          id: 'octokit-write',
          maxConcurrent: WRITE_CONCURRENCY,
          minTime: 0
        }),
        onRateLimit: (
          retryAfter: number,
          options: { method: string; url: string },
          _o: unknown,
          retryCount: number
        ) => {
          log.warning(
            `GitHub rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s.`
          )
          return retryCount < RATE_LIMIT_RETRIES
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          options: { method: string; url: string },
          _o: unknown,
          retryCount: number
        ) => {
          log.warning(
            `GitHub secondary rate limit on ${options.method} ${options.url}; retrying in ${retryAfter}s.`
          )
          return retryCount < RATE_LIMIT_RETRIES
        }
      },
      retry: { doNotRetry: [400, 401, 403, 404, 409, 422, 451] }
    },
    throttling,
    retry
  )
}
