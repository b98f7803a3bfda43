// The marker tags are data anyone who may tag the user can write (the threat model): what parses
// and what counts as absent, at the edges a mutation run of src/plan/markers.ts found untested
// (2026-12-04, docs/mutation.md): the anchors of every pattern, the optional milliseconds, a grace
// of zero, a tag outside the prefix.
import {
  formatKeyOrigin,
  KEY_ORIGIN_TAG_PREFIX,
  keyOrigins,
  RETIRE_TAG,
  retireMarker,
  workflowRunNumber
} from '../../src/plan/markers.js'

const KEY = 'AKIAAAAAAAAAAAAAAAAA'
const AT = '2026-12-01T10:00:00.000Z'
const LATER = '2026-12-01T16:00:00.000Z'
const retire = (value: string) => retireMarker([{ key: RETIRE_TAG, value }])
const origin = (value: string, keyId = KEY) =>
  keyOrigins([{ key: `${KEY_ORIGIN_TAG_PREFIX}${keyId}`, value }])[keyId]

test('the retire marker is named s3-credentials-action:retire', () => {
  expect(RETIRE_TAG).toBe('s3-credentials-action:retire')
})

describe('the retire marker', () => {
  test('parses as the action writes it, with or without milliseconds', () => {
    expect(retire(`${KEY} ${AT} ${LATER}`)).toEqual({
      keyId: KEY,
      replacedAt: new Date(AT),
      retireAfter: new Date(LATER)
    })
    expect(retire(`${KEY} 2026-12-01T10:00:00Z 2026-12-01T16:00:00Z`)?.retireAfter).toEqual(
      new Date(LATER)
    )
  })

  test('a grace of zero (retire-after equal to replaced-at) parses', () => {
    expect(retire(`${KEY} ${AT} ${AT}`)?.retireAfter).toEqual(new Date(AT))
  })

  test.each([
    ['a key id with something before it', `x${KEY} ${AT} ${LATER}`],
    ['a key id with something after it', `${KEY}x ${AT} ${LATER}`],
    ['a time with something before it', `${KEY} x${AT} ${LATER}`],
    ['a time with something after it', `${KEY} ${AT} ${LATER}x`],
    ['a time in another form JavaScript still reads', `${KEY} 2026-12-01 ${LATER}`],
    ['retire-after before replaced-at', `${KEY} ${LATER} ${AT}`]
  ])('%s: absent', (_, value) => {
    expect(retire(value)).toBeUndefined()
  })
})

describe('the workflow run a run id names', () => {
  test('run-<id>-<attempt>, the attempt of any length up to six digits', () => {
    expect(workflowRunNumber('run-1234-12')).toBe(1234)
    expect(workflowRunNumber('run-1234-123456')).toBe(1234)
    expect(workflowRunNumber('run-1234-1234567')).toBeUndefined()
  })
})

describe("a key's origin tag", () => {
  test('written from a run id only when the run id is exactly run-<id>-<attempt>', () => {
    const made = { repository: 'octo-org/octo-repo', createdAt: new Date(AT) }
    const value = (runId: string) => formatKeyOrigin(KEY, { ...made, runId }).value
    expect(value('run-77-12')).toBe(`octo-org/octo-repo 77 12 ${AT}`)
    expect(value('xrun-77-12')).toBe(`octo-org/octo-repo - - ${AT}`)
    expect(value('run-77-12x')).toBe(`octo-org/octo-repo - - ${AT}`)
  })

  test('read back: repository, run, attempt and time', () => {
    expect(origin(`octo-org/octo-repo 77 12 ${AT}`)).toEqual({
      repository: 'octo-org/octo-repo',
      runId: '77',
      attempt: '12',
      createdAt: new Date(AT)
    })
  })

  test.each([
    ['a run id with something before it', `octo-org/octo-repo x77 1 ${AT}`],
    ['a run id with something after it', `octo-org/octo-repo 77x 1 ${AT}`],
    ['an attempt with something before it', `octo-org/octo-repo 77 x1 ${AT}`],
    ['an attempt with something after it', `octo-org/octo-repo 77 1x ${AT}`],
    ['an attempt that is not a number', `octo-org/octo-repo 77 x ${AT}`]
  ])('%s: the whole tag counts as absent', (_, value) => {
    expect(origin(value)).toBeUndefined()
  })

  test('a tag outside the prefix is not an origin, whatever it holds', () => {
    const other = 'someone-elses:tag:prefixe:'
    expect(other.length).toBe(KEY_ORIGIN_TAG_PREFIX.length)
    expect(keyOrigins([{ key: `${other}${KEY}`, value: `octo-org/octo-repo 77 1 ${AT}` }])).toEqual(
      {}
    )
  })
})
