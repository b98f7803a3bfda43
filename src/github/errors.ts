/** Turns GitHub API failures into catalogue errors that say which permission is missing. */
import { ActionError } from '../errors.js'

interface RequestErrorLike {
  status?: number
  message?: string
  response?: { headers?: Record<string, string | undefined> }
}

export function toGitHubError(what: string, target: string, e: unknown): ActionError {
  if (e instanceof ActionError) return e
  const err = (e ?? {}) as RequestErrorLike
  const status = err.status
  const message = (err.message ?? String(e)).split('\n')[0] ?? ''
  const needed = err.response?.headers?.['x-accepted-github-permissions']
  if (status === 401)
    return new ActionError(
      'GITHUB_AUTH',
      `GitHub refused the token while trying to ${what} for ${target} (401 ${message}).`,
      'pass a valid, unexpired token as github-token (a fine-grained PAT or a GitHub App installation token).',
      { cause: e }
    )
  if (status === 403 && /not accessible by integration/i.test(message))
    return new ActionError(
      'GITHUB_TOKEN_DEFAULT',
      `The token may not ${what} for ${target} (403 ${message}${needed ? `; needs ${needed}` : ''}).`,
      'the default GITHUB_TOKEN can never write secrets: pass a fine-grained PAT with "Secrets: read and write" or a GitHub App installation token with that permission as github-token.',
      { cause: e }
    )
  if (status === 403 && !/rate limit/i.test(message))
    return new ActionError(
      'GITHUB_PERMISSION',
      `The token may not ${what} for ${target} (403 ${message}${needed ? `; needs ${needed}` : ''}).`,
      `grant the token ${needed ?? '"Secrets: read and write"'} on ${target} (for organization secrets: "Secrets" organization permission).`,
      { cause: e }
    )
  if (status === 404)
    return new ActionError(
      'GITHUB_NOT_FOUND',
      `GitHub answered 404 while trying to ${what} for ${target}: it does not exist, or the token cannot see it.`,
      `check the name, and that the token has access to ${target} (fine-grained PATs list their repositories; environments must already exist).`,
      { cause: e }
    )
  return new ActionError(
    'GITHUB_WRITE_FAILED',
    `GitHub call to ${what} for ${target} failed${status ? ` (${status})` : ''}: ${message}`,
    'run the step again; a re-run writes only what is missing.',
    { cause: e }
  )
}

/**
 * True when GitHub gave no definite answer to a request (a 5xx, a lost connection, a timeout),
 * after the client's retries: a write may then have taken effect all the same.
 */
export function isUnanswered(e: unknown): boolean {
  const cause = e instanceof ActionError ? e.cause : e
  const status = (cause as RequestErrorLike | undefined)?.status
  return status === undefined || status >= 500
}
