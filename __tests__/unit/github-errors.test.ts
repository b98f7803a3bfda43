// Unit tests of src/github/errors.ts: which GitHub answer becomes which catalogue error (a bad
// token, the default GITHUB_TOKEN, a missing permission, not found, anything else), with the
// message and remedy the user reads, and which failures leave a write's effect unknown.
import { ActionError } from '../../src/errors.js'
import { isUnanswered, toGitHubError } from '../../src/github/errors.js'

/** What Octokit throws for an HTTP error answer, with the header naming the permission needed. */
function requestError(status: number, message: string, needed?: string): Error {
  return Object.assign(new Error(message), {
    name: 'HttpError',
    status,
    response: { headers: needed === undefined ? {} : { 'x-accepted-github-permissions': needed } }
  })
}

function parts(e: ActionError): { code: string; message: string; remedy: string } {
  return { code: e.code, message: e.message, remedy: e.remedy }
}

const WHAT = 'write secret AWS_ACCESS_KEY_ID'
const TARGET = 'octo/repo'
/** The remedy of a 403 "not accessible by integration" when GitHub asks for `need`. */
const integrationRemedy = (need: string) =>
  `the job's GITHUB_TOKEN can never have ${need}: pass a GitHub App installation token or a fine-grained PAT that has it as github-token; if github-token is a GitHub App's token, grant the App ${need} and accept the new permission on its installation.`

describe('toGitHubError', () => {
  test('an ActionError passes through unchanged', () => {
    const original = new ActionError('RATE_LIMIT_BUDGET', 'out of budget', 'wait')
    expect(toGitHubError(WHAT, TARGET, original)).toBe(original)
  })

  test('401: the token is refused', () => {
    const cause = requestError(401, 'Bad credentials')
    const e = toGitHubError(WHAT, TARGET, cause)
    expect(e).toBeInstanceOf(ActionError)
    expect(parts(e)).toEqual({
      code: 'GITHUB_AUTH',
      message:
        'GitHub refused the token while trying to write secret AWS_ACCESS_KEY_ID for octo/repo (401 Bad credentials).',
      remedy:
        'pass a valid, unexpired token as github-token (a fine-grained PAT or a GitHub App installation token).'
    })
    expect(e.cause).toBe(cause)
  })

  test('only the first line of a message is quoted', () => {
    const e = toGitHubError(WHAT, TARGET, requestError(401, 'Bad credentials\nsee the docs\nmore'))
    expect(e.message).toBe(
      'GitHub refused the token while trying to write secret AWS_ACCESS_KEY_ID for octo/repo (401 Bad credentials).'
    )
  })

  // Issue 14: the job's GITHUB_TOKEN and a GitHub App's installation token answer alike.
  test('403 "not accessible by integration": the GITHUB_TOKEN or an App token without it', () => {
    const cause = requestError(403, 'Resource not accessible by integration', 'secrets=write')
    const e = toGitHubError(WHAT, TARGET, cause)
    expect(parts(e)).toEqual({
      code: 'GITHUB_TOKEN_DEFAULT',
      message:
        'The token may not write secret AWS_ACCESS_KEY_ID for octo/repo (403 Resource not accessible by integration; GitHub asks for "Secrets: read and write").',
      remedy: integrationRemedy('"Secrets: read and write"')
    })
    expect(e.cause).toBe(cause)
  })

  test('403 "not accessible by integration" in any case, without a permission header', () => {
    const e = toGitHubError(
      WHAT,
      TARGET,
      requestError(403, 'RESOURCE NOT ACCESSIBLE BY INTEGRATION')
    )
    expect(parts(e)).toEqual({
      code: 'GITHUB_TOKEN_DEFAULT',
      message:
        'The token may not write secret AWS_ACCESS_KEY_ID for octo/repo (403 RESOURCE NOT ACCESSIBLE BY INTEGRATION).',
      remedy: integrationRemedy('"Secrets: read and write" ("Environments" for an environment)')
    })
  })

  test.each([404, 422, 500])(
    'a %i saying "not accessible by integration" is no token problem',
    status => {
      const message = 'Resource not accessible by integration'
      const e = toGitHubError(WHAT, TARGET, requestError(status, message, 'secrets=write'))
      expect(e.code).toBe(status === 404 ? 'GITHUB_NOT_FOUND' : 'GITHUB_WRITE_FAILED')
    }
  )

  test('another 403 names the permission GitHub asks for', () => {
    const cause = requestError(403, 'Must have admin rights to Repository.', 'secrets=write')
    const e = toGitHubError(WHAT, TARGET, cause)
    expect(parts(e)).toEqual({
      code: 'GITHUB_PERMISSION',
      message:
        'The token may not write secret AWS_ACCESS_KEY_ID for octo/repo (403 Must have admin rights to Repository.; GitHub asks for "Secrets: read and write").',
      remedy: 'grant the token "Secrets: read and write" on octo/repo.'
    })
    expect(e.cause).toBe(cause)
  })

  test('another 403 without the header asks for "Secrets: read and write"', () => {
    const e = toGitHubError('list secrets', 'org octo', requestError(403, 'Forbidden'))
    expect(parts(e)).toEqual({
      code: 'GITHUB_PERMISSION',
      message: 'The token may not list secrets for org octo (403 Forbidden).',
      remedy:
        'grant the token "Secrets: read and write" ("Environments" for an environment) on org octo (for organization secrets: "Secrets" organization permission).'
    })
  })

  test('a 403 without response headers at all', () => {
    const cause = Object.assign(new Error('Forbidden'), { status: 403, response: {} })
    expect(toGitHubError('list secrets', 'o/r', cause).message).toBe(
      'The token may not list secrets for o/r (403 Forbidden).'
    )
    const bare = Object.assign(new Error('Forbidden'), { status: 403 })
    expect(toGitHubError('list secrets', 'o/r', bare).code).toBe('GITHUB_PERMISSION')
  })

  // Issue 14: a rate limit the client did not wait out (too long, or refused after every retry).
  test.each([
    'API rate limit exceeded for installation ID 1.',
    'You have exceeded a secondary RATE LIMIT'
  ])('a 403 for a rate limit (%j) is no permission problem', message => {
    const e = toGitHubError(WHAT, TARGET, requestError(403, message, 'secrets=write'))
    expect(parts(e)).toEqual({
      code: 'GITHUB_RATE_LIMITED',
      message:
        'GitHub rate-limited the request to write secret AWS_ACCESS_KEY_ID for octo/repo again after 4 retries (403).',
      remedy:
        'run the step again in a few minutes: a re-run writes only what is missing; for many destinations, organization secrets need fewer writes (docs/destinations.md).'
    })
  })

  test('a rate limit asking for longer than a run waits says until when', () => {
    const cause = Object.assign(new Error('You have exceeded a secondary rate limit.'), {
      status: 429,
      response: { headers: { 'retry-after': '3600' } }
    })
    const e = toGitHubError(WHAT, TARGET, cause)
    expect(e.code).toBe('GITHUB_RATE_LIMITED')
    expect(e.message).toMatch(
      /^GitHub rate-limited the request to write secret AWS_ACCESS_KEY_ID for octo\/repo and asks to wait 3600 s \(until \d\d:\d\d:\d\d UTC\), longer than a run waits \(300 s\)\.$/
    )
    expect(e.remedy).toMatch(/^run the step again after \d\d:\d\d:\d\d UTC: a re-run writes only/)
    expect(isUnanswered(e)).toBe(false)
  })

  test('a spent primary limit names its reset', () => {
    const reset = Math.floor(Date.now() / 1000) + 1800
    const cause = Object.assign(new Error('API rate limit exceeded for user ID 1.'), {
      status: 403,
      response: { headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } }
    })
    const e = toGitHubError(WHAT, TARGET, cause)
    expect(e.message).toMatch(/asks to wait 180[01] s \(until /)
  })

  test('404: it does not exist or the token cannot see it', () => {
    const cause = requestError(404, 'Not Found')
    const e = toGitHubError('write secret X', 'octo/repo environment prod', cause)
    expect(parts(e)).toEqual({
      code: 'GITHUB_NOT_FOUND',
      message:
        'GitHub answered 404 while trying to write secret X for octo/repo environment prod: it does not exist, or the token cannot see it.',
      remedy:
        'check the name, and that the token has access to octo/repo environment prod (fine-grained PATs list their repositories; environments must already exist).'
    })
    expect(e.cause).toBe(cause)
  })

  test.each([
    [500, 'Internal Server Error'],
    [422, 'Validation Failed'],
    [402, 'Payment Required']
  ])('%i: the call failed, with its status and message', (status, message) => {
    const cause = requestError(status, message)
    const e = toGitHubError(WHAT, TARGET, cause)
    expect(parts(e)).toEqual({
      code: 'GITHUB_WRITE_FAILED',
      message: `GitHub call to write secret AWS_ACCESS_KEY_ID for octo/repo failed (${status}): ${message}`,
      remedy: 'run the step again; a re-run writes only what is missing.'
    })
    expect(e.cause).toBe(cause)
  })

  test('no status (a dropped connection): the message alone', () => {
    const e = toGitHubError(WHAT, TARGET, new Error('other side closed\nat socket'))
    expect(parts(e)).toEqual({
      code: 'GITHUB_WRITE_FAILED',
      message:
        'GitHub call to write secret AWS_ACCESS_KEY_ID for octo/repo failed: other side closed',
      remedy: 'run the step again; a re-run writes only what is missing.'
    })
  })

  test('something thrown that is not an Error: its text', () => {
    expect(toGitHubError(WHAT, TARGET, 'socket hang up').message).toBe(
      'GitHub call to write secret AWS_ACCESS_KEY_ID for octo/repo failed: socket hang up'
    )
    expect(toGitHubError(WHAT, TARGET, undefined).message).toBe(
      'GitHub call to write secret AWS_ACCESS_KEY_ID for octo/repo failed: undefined'
    )
    expect(toGitHubError(WHAT, TARGET, null).message).toBe(
      'GitHub call to write secret AWS_ACCESS_KEY_ID for octo/repo failed: null'
    )
  })

  test('an empty message stays empty', () => {
    expect(toGitHubError(WHAT, TARGET, requestError(500, '')).message).toBe(
      'GitHub call to write secret AWS_ACCESS_KEY_ID for octo/repo failed (500): '
    )
  })
})

describe('isUnanswered', () => {
  test.each([
    [499, false],
    [500, true],
    [504, true],
    [401, false],
    [429, false]
  ])('status %i -> %s', (status, unanswered) => {
    expect(isUnanswered({ status })).toBe(unanswered)
  })

  test('nothing thrown, or no status: unanswered', () => {
    expect(isUnanswered(undefined)).toBe(true)
    expect(isUnanswered(null)).toBe(true)
    expect(isUnanswered({})).toBe(true)
  })

  test('an ActionError is judged by its cause', () => {
    expect(
      isUnanswered(new ActionError('GITHUB_WRITE_FAILED', 'm', 'r', { cause: { status: 404 } }))
    ).toBe(false)
    expect(
      isUnanswered(new ActionError('GITHUB_WRITE_FAILED', 'm', 'r', { cause: { status: 502 } }))
    ).toBe(true)
    expect(isUnanswered(new ActionError('GITHUB_WRITE_FAILED', 'm', 'r'))).toBe(true)
  })

  test('a status on the ActionError itself does not count, only its cause', () => {
    const e = Object.assign(
      new ActionError('GITHUB_WRITE_FAILED', 'm', 'r', { cause: { status: 503 } }),
      {
        status: 404
      }
    )
    expect(isUnanswered(e)).toBe(true)
  })
})
