// Mutation tests of src/plan/github-wait.ts (issue 12): the headers GitHub's wait is read from are
// believed only when they name a usable wait.
import { askedWaitSeconds, secondaryLimitWaitSeconds } from '../../src/plan/github-wait.js'

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0)
const nowSeconds = NOW / 1000

describe('askedWaitSeconds: what counts as no wait named', () => {
  test('a negative retry-after names no wait: the spent limit’s reset, else none', () => {
    expect(askedWaitSeconds({ 'retry-after': '-5' }, NOW)).toBeUndefined()
    const spent = {
      'retry-after': '-5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(nowSeconds + 9)
    }
    expect(askedWaitSeconds(spent, NOW)).toBe(10)
    expect(secondaryLimitWaitSeconds({ 'retry-after': '-5' }, NOW, 1)).toBe(120)
  })

  test('a retry-after of blanks is absent, not a wait of zero', () => {
    expect(askedWaitSeconds({ 'retry-after': '  ' }, NOW)).toBeUndefined()
    expect(secondaryLimitWaitSeconds({ 'retry-after': ' \t' }, NOW, 0)).toBe(60)
  })
})
