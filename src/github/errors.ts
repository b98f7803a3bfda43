/** Turns GitHub API failures into catalogue errors that say which permission is missing. */
import { ActionError } from '../errors.js'
import {
  askedWaitSeconds,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  RATE_LIMIT_RETRIES,
  waitsTooLong,
  type ResponseHeaders
} from '../plan/github-wait.js'
import {
  parseAcceptedPermissions,
  permissionsText,
  type PermissionNeed
} from '../render/permissions.js'

interface RequestErrorLike {
  status?: number
  message?: string
  response?: { headers?: ResponseHeaders }
}

export function toGitHubError(what: string, target: string, e: unknown): ActionError {
  if (e instanceof ActionError) return e
  const err = (e ?? {}) as RequestErrorLike
  const status = err.status
  const message = (err.message ?? String(e)).split('\n')[0] ?? ''
  const headers = err.response?.headers ?? {}
  const accepted = headers['x-accepted-github-permissions']
  const sets = parseAcceptedPermissions(accepted === undefined ? undefined : String(accepted))
  const asks = sets.length ? `; GitHub asks for ${permissionsText(sets)}` : ''
  const need = sets.length ? permissionsText(forTheAction(sets)) : FALLBACK_NEED
  if (status === 401)
    return new ActionError(
      'GITHUB_AUTH',
      `GitHub refused the token while trying to ${what} for ${target} (401 ${message}).`,
      'pass a valid, unexpired token as github-token (a fine-grained PAT or a GitHub App installation token).',
      { cause: e }
    )
  if ((status === 403 || status === 429) && /rate limit/i.test(message))
    return rateLimited(what, target, status, headers, e)
  // "Integration": an installation token, the job's GITHUB_TOKEN or a GitHub App's. Both are ghs_
  // tokens and GitHub answers both alike, so the remedy covers both.
  if (status === 403 && /not accessible by integration/i.test(message))
    return new ActionError(
      'GITHUB_TOKEN_DEFAULT',
      `The token may not ${what} for ${target} (403 ${message}${asks}).`,
      `the job's GITHUB_TOKEN can never have ${need}: pass a GitHub App installation token or a fine-grained PAT that has it as github-token; if github-token is a GitHub App's token, grant the App ${need} and accept the new permission on its installation.`,
      { cause: e }
    )
  if (status === 403)
    return new ActionError(
      'GITHUB_PERMISSION',
      `The token may not ${what} for ${target} (403 ${message}${asks}).`,
      `grant the token ${need} on ${target}${sets.length ? '' : ' (for organization secrets: "Secrets" organization permission)'}.`,
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
 * GitHub refused for a rate limit, and the client did not wait: GitHub asks for longer than a run
 * waits, or the request was refused again after every retry. Nothing was written by it.
 */
function rateLimited(
  what: string,
  target: string,
  status: number,
  headers: ResponseHeaders,
  e: unknown
): ActionError {
  const wait = askedWaitSeconds(headers, Date.now())
  const until = wait === undefined ? undefined : utcTime(Date.now() + wait * 1000)
  const message =
    wait !== undefined && waitsTooLong(wait)
      ? `GitHub rate-limited the request to ${what} for ${target} and asks to wait ${wait} s (until ${until} UTC), longer than a run waits (${MAX_RATE_LIMIT_WAIT_SECONDS} s).`
      : `GitHub rate-limited the request to ${what} for ${target} again after ${RATE_LIMIT_RETRIES} retries (${status}).`
  return new ActionError(
    'GITHUB_RATE_LIMITED',
    message,
    `run the step again ${until ? `after ${until} UTC` : 'in a few minutes'}: a re-run writes only what is missing; for many destinations, organization secrets need fewer writes (docs/destinations.md).`,
    { cause: e }
  )
}

function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19)
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

/** What to grant when GitHub names no permission: the one repository secrets need. */
const FALLBACK_NEED = '"Secrets: read and write" ("Environments" for an environment)'

/** Read only, never written by the action: every other permission it reads it also writes. */
const READ_ONLY = new Set(['metadata', 'actions'])

/**
 * The permissions to grant: GitHub names what one request needs (read, for a look-up), but the
 * action writes wherever it reads secrets and variables, so asking for read alone would fail the
 * next run at its first write.
 */
function forTheAction(sets: PermissionNeed[][]): PermissionNeed[][] {
  return sets.map(set =>
    set.map(p => (p.level === 'read' && !READ_ONLY.has(p.name) ? { ...p, level: 'write' } : p))
  )
}
