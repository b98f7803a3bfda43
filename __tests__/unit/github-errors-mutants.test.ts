// Mutation tests of src/github/errors.ts (issue 12): the permission a refusal's remedy asks for
// (write wherever the action writes, read where it only reads), and the clock time a long rate
// limit names.
import { jest } from '@jest/globals'
import { toGitHubError } from '../../src/github/errors.js'

const WHAT = 'write secret AWS_ACCESS_KEY_ID'
const TARGET = 'octo/repo'

function refused(accepted: string) {
  return toGitHubError(
    WHAT,
    TARGET,
    Object.assign(new Error('Resource not accessible by personal access token'), {
      status: 403,
      response: { headers: { 'x-accepted-github-permissions': accepted } }
    })
  )
}

describe('the permission a 403 asks to grant', () => {
  test('read of what the action writes becomes read and write; GitHub’s own words stay in the message', () => {
    const e = refused('secrets=read; actions_variables=read, environments=read')
    expect(e.code).toBe('GITHUB_PERMISSION')
    expect(e.message).toContain(
      '; GitHub asks for "Secrets: read-only", or "Variables: read-only" and "Environments: read-only")'
    )
    expect(e.remedy).toBe(
      'grant the token "Secrets: read and write", or "Variables: read and write" and "Environments: read and write" on octo/repo.'
    )
  })

  test('metadata and actions are only read: they stay read-only; write and admin stay as asked', () => {
    expect(refused('metadata=read, actions=read').remedy).toBe(
      'grant the token "Metadata: read-only" and "Actions: read-only" on octo/repo.'
    )
    expect(refused('secrets=write; administration=admin').remedy).toBe(
      'grant the token "Secrets: read and write", or "Administration: admin" on octo/repo.'
    )
  })
})

describe('a rate limit longer than a run waits', () => {
  afterEach(() => {
    jest.useRealTimers()
  })

  test('names the UTC time it ends: now plus the wait', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 3, 12, 0, 0) })
    const e = toGitHubError(
      WHAT,
      TARGET,
      Object.assign(new Error('You have exceeded a secondary rate limit.'), {
        status: 429,
        response: { headers: { 'retry-after': '3600' } }
      })
    )
    expect(e.message).toContain('asks to wait 3600 s (until 13:00:00 UTC)')
    expect(e.remedy).toMatch(/^run the step again after 13:00:00 UTC:/)
  })
})
