// Unit tests of the retry schedule of the key verification (src/aws/verify.ts).
import { nextDelay } from '../../src/aws/verify.js'

describe('nextDelay', () => {
  test('grows from the first delay and caps at 1000 ms', () => {
    const delays = [100]
    for (let i = 0; i < 10; i++) delays.push(nextDelay(delays.at(-1)!))
    expect(delays).toEqual([100, 150, 225, 338, 507, 761, 1000, 1000, 1000, 1000, 1000])
  })

  test.each([
    [1, 2],
    [100, 150],
    [600, 900],
    [666, 999],
    [667, 1000],
    [1000, 1000],
    [60_000, 1000]
  ])('nextDelay(%s) is %s', (previous, next) => {
    expect(nextDelay(previous)).toBe(next)
  })

  test('never shrinks below the cap and never exceeds it', () => {
    for (let d = 1; d <= 5000; d += 7) {
      const next = nextDelay(d)
      expect(next).toBeLessThanOrEqual(1000)
      expect(next).toBeGreaterThanOrEqual(Math.min(d, 1000))
      if (d < 1000) expect(next).toBeGreaterThan(d)
    }
  })
})
