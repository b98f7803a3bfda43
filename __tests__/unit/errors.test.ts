// Unit tests of the error classification that decides how a failure is handled: which GitHub
// failures leave a write's effect unknown (it is read back), which AWS failures mean a retried
// request found what its lost first attempt made, and how both become catalogue errors.
import { madeByLostAttempt, toAwsError } from '../../src/aws/errors.js'
import { isUnanswered, toGitHubError } from '../../src/github/errors.js'

/** What Octokit throws for an HTTP error answer: an Error with the status. */
function githubError(status: number): Error {
  return Object.assign(new Error(`status ${status}`), { name: 'HttpError', status })
}

function awsError(name: string, attempts: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { attempts, httpStatusCode: 409 } })
}

describe('isUnanswered: GitHub gave no definite answer, so a write may have taken effect', () => {
  test.each([
    [500, true],
    [502, true],
    [503, true],
    [400, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false]
  ])('status %i -> %s', (status, unanswered) => {
    const e = githubError(status)
    expect(isUnanswered(e)).toBe(unanswered)
    // The same through the catalogue error the action throws.
    expect(isUnanswered(toGitHubError('write secret X', 'o/r', e))).toBe(unanswered)
  })

  test('a failure without a status (a dropped connection) is unanswered', () => {
    expect(isUnanswered(new Error('other side closed'))).toBe(true)
    expect(isUnanswered(toGitHubError('write secret X', 'o/r', new Error('socket hang up')))).toBe(
      true
    )
  })
})

describe('madeByLostAttempt: a retry found what it was making already there', () => {
  test.each([
    ['EntityAlreadyExistsException', 2, true],
    ['EntityAlreadyExists', 3, true],
    ['EntityAlreadyExistsException', 1, false], // first attempt: someone else made it
    ['LimitExceededException', 2, false]
  ])('%s after %i attempt(s) -> %s', (name, attempts, made) => {
    expect(
      madeByLostAttempt(
        awsError(name, attempts),
        'EntityAlreadyExistsException',
        'EntityAlreadyExists'
      )
    ).toBe(made)
  })

  test('an error without metadata counts as one attempt', () => {
    const e = Object.assign(new Error('x'), { name: 'BucketAlreadyOwnedByYou' })
    expect(madeByLostAttempt(e, 'BucketAlreadyOwnedByYou')).toBe(false)
  })

  test('otherwise it stays a catalogue error naming the IAM action', () => {
    const e = toAwsError('iam:CreateUser', awsError('EntityAlreadyExistsException', 1))
    expect(e.code).toBe('AWS_CALL_FAILED')
    expect(e.message).toContain('iam:CreateUser')
  })
})
