// Behaviour of the marker protocol and the containment rules that a mutation run of the unit tier
// found untested (docs/mutation.md).
import {
  BUCKET_PREFIX,
  checkOwnAccountPolicy,
  checkOwnership,
  OWNERSHIP_TAG
} from '../../src/plan/containment.js'
import {
  formatPendingKeys,
  formatRotationLock,
  isEarlierAttempt,
  lockRunUrl,
  PENDING_KEY_TAG,
  pendingKeys,
  ROTATION_LOCK_TAG,
  rotationLock,
  rotationLockUntil,
  tagValue,
  workflowRunNumber
} from '../../src/plan/markers.js'

const ACCOUNT = { accountId: '123456789012', partition: 'aws' }

test('the names the bootstrap role is scoped to', () => {
  expect(OWNERSHIP_TAG).toBe('s3-credentials-action:repository')
  expect(BUCKET_PREFIX).toBe('s3ca-')
})

test('only a policy ARN is checked against the account: a look-alike is left to the input rules', () => {
  expect(() =>
    checkOwnAccountPolicy('policy', 'xarn:aws:iam::999999999999:policy/x', ACCOUNT)
  ).not.toThrow()
  expect(() =>
    checkOwnAccountPolicy('policy', 'arn:aws:iam::999999999999:policy/x', ACCOUNT)
  ).toThrow(/belongs to account 999999999999/)
})

test('a user in several groups: all are named, and the remedy says what to do', () => {
  const refuse = () =>
    checkOwnership(
      { tags: [{ key: OWNERSHIP_TAG, value: 'o/r' }], groups: ['admins', 'ops'] },
      'u',
      'o/r'
    )
  expect(refuse).toThrow(
    expect.objectContaining({
      code: 'USER_IN_GROUP',
      message: expect.stringContaining('the group(s) admins, ops,'),
      remedy:
        'choose another user-name (the action creates a user of its own), or remove the user from its groups first.'
    })
  )
})

test('tagValue finds the key asked for, not the first tag', () => {
  const tags = [
    { key: 'team', value: 'web' },
    { key: ROTATION_LOCK_TAG.toUpperCase(), value: 'v' }
  ]
  expect(tagValue(tags, ROTATION_LOCK_TAG)).toBe('v')
  expect(tagValue([{ key: 'team', value: 'web' }], ROTATION_LOCK_TAG)).toBeUndefined()
})

test('a rotation marker whose expiry does not parse counts as absent', () => {
  expect(rotationLock([{ key: ROTATION_LOCK_TAG, value: 'run-1-1 not-a-time' }])).toBeUndefined()
})

test.each([['run-5-1x'], ['run-5-1234567'], ['run-5-']])('workflowRunNumber(%j) is no run', id =>
  expect(workflowRunNumber(id)).toBeUndefined()
)

test('the run page has one slash after a server URL with several', () => {
  const lock = { runId: 'run-5-1', expiresAt: new Date(0), repository: 'o/r' }
  expect(lockRunUrl('https://ghe.example.com//', lock)).toBe(
    'https://ghe.example.com/o/r/actions/runs/5'
  )
})

test.each([
  ['xrun-7-1', 'run-7-2', false],
  ['run-7-1x', 'run-7-2', false],
  ['run-17-1', 'run-17-2', true],
  ['run-7-9', 'run-7-10', true]
])('isEarlierAttempt(%j, %j) is %s', (lock, run, earlier) =>
  expect(isEarlierAttempt(lock, run)).toBe(earlier)
)

test('the pending marker: ids separated by spaces, empty parts dropped; formatted back', () => {
  const tags = [{ key: PENDING_KEY_TAG, value: ' AKIAONE  AKIATWO ' }]
  expect(pendingKeys(tags)).toEqual(['AKIAONE', 'AKIATWO'])
  expect(pendingKeys([])).toEqual([])
  expect(formatPendingKeys(['AKIAONE', 'AKIATWO'])).toEqual({
    key: PENDING_KEY_TAG,
    value: 'AKIAONE AKIATWO'
  })
})

test('a run holds the rotation marker for its verification bound plus the writes', () => {
  const now = new Date('2026-01-01T00:00:00Z')
  expect(rotationLockUntil(now, 60).toISOString()).toBe('2026-01-01T00:11:00.000Z')
})

test('a marker without a repository is formatted with two fields', () => {
  expect(
    formatRotationLock({ runId: 'run-1-1', expiresAt: new Date('2026-01-01T00:00:00Z') })
  ).toEqual({ key: ROTATION_LOCK_TAG, value: 'run-1-1 2026-01-01T00:00:00.000Z' })
})
