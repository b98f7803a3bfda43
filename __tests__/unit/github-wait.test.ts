// Unit tests of src/plan/github-wait.ts: the wait before retrying a request GitHub refused with a
// rate limit, as "Rate limits for the REST API" documents it, and the bound a run keeps to.
import {
  askedWaitSeconds,
  MAX_RATE_LIMIT_WAIT_SECONDS,
  secondaryLimitWaitSeconds,
  waitsTooLong
} from '../../src/plan/github-wait.js'

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0)
const nowSeconds = NOW / 1000

describe('secondaryLimitWaitSeconds', () => {
  test('retry-after, when present, is the wait', () => {
    expect(secondaryLimitWaitSeconds({ 'retry-after': '7' }, NOW, 0)).toBe(7)
    expect(secondaryLimitWaitSeconds({ 'retry-after': 7 }, NOW, 3)).toBe(7)
  })

  test('retry-after wins over x-ratelimit-reset', () => {
    const headers = {
      'retry-after': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(nowSeconds + 600)
    }
    expect(secondaryLimitWaitSeconds(headers, NOW, 0)).toBe(5)
  })

  test('retry-after 0 still waits a second', () => {
    expect(secondaryLimitWaitSeconds({ 'retry-after': '0' }, NOW, 0)).toBe(1)
  })

  test('without retry-after and with the primary limit spent: until x-ratelimit-reset, and a second', () => {
    const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowSeconds + 2) }
    expect(secondaryLimitWaitSeconds(headers, NOW, 0)).toBe(3)
    expect(secondaryLimitWaitSeconds(headers, NOW + 500, 0)).toBe(3)
    expect(secondaryLimitWaitSeconds(headers, NOW + 1500, 2)).toBe(2)
  })

  test('a reset already past waits a second', () => {
    const headers = { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowSeconds - 30) }
    expect(secondaryLimitWaitSeconds(headers, NOW, 0)).toBe(1)
  })

  test('neither: at least a minute, doubled with each retry', () => {
    const headers = { 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(nowSeconds + 9) }
    expect([0, 1, 2, 3].map(n => secondaryLimitWaitSeconds(headers, NOW, n))).toEqual([
      60, 120, 240, 480
    ])
    expect(secondaryLimitWaitSeconds({}, NOW, 0)).toBe(60)
  })

  test('unreadable headers count as absent', () => {
    expect(secondaryLimitWaitSeconds({ 'retry-after': 'soon' }, NOW, 0)).toBe(60)
    expect(secondaryLimitWaitSeconds({ 'retry-after': '' }, NOW, 1)).toBe(120)
    expect(
      secondaryLimitWaitSeconds({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': 'x' }, NOW, 0)
    ).toBe(60)
    expect(secondaryLimitWaitSeconds({ 'x-ratelimit-remaining': '0' }, NOW, 0)).toBe(60)
  })
})

describe('askedWaitSeconds', () => {
  test('only what GitHub names: retry-after or the reset of a spent limit', () => {
    expect(askedWaitSeconds({ 'retry-after': '3600' }, NOW)).toBe(3600)
    expect(
      askedWaitSeconds(
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(nowSeconds + 1799.2) },
        NOW
      )
    ).toBe(1801)
    expect(askedWaitSeconds({ 'x-ratelimit-remaining': '12' }, NOW)).toBeUndefined()
    expect(askedWaitSeconds({}, NOW)).toBeUndefined()
  })
})

describe('waitsTooLong', () => {
  test("a run waits up to five minutes at a time, GitHub's one-minute fallback included", () => {
    expect(MAX_RATE_LIMIT_WAIT_SECONDS).toBe(300)
    expect(waitsTooLong(60)).toBe(false)
    expect(waitsTooLong(300)).toBe(false)
    expect(waitsTooLong(301)).toBe(true)
    expect(waitsTooLong(3600)).toBe(true)
  })
})
