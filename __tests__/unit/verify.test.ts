// Unit tests of the retry schedule of the key verification (src/aws/verify.ts).
import { MAX_DELAY_MS, nextDelay } from '../../src/aws/verify.js'

describe('nextDelay', () => {
  test('grows from the first delay and caps at 300 ms', () => {
    expect(MAX_DELAY_MS).toBe(300)
    const delays = [100]
    for (let i = 0; i < 6; i++) delays.push(nextDelay(delays.at(-1)!))
    expect(delays).toEqual([100, 150, 225, 300, 300, 300, 300])
  })

  test.each([
    [1, 2],
    [100, 150],
    [150, 225],
    [199, 299],
    [200, 300],
    [300, 300],
    [60_000, 300]
  ])('nextDelay(%s) is %s', (previous, next) => {
    expect(nextDelay(previous)).toBe(next)
  })

  test('never shrinks below the cap and never exceeds it', () => {
    for (let d = 1; d <= 5000; d += 7) {
      const next = nextDelay(d)
      expect(next).toBeLessThanOrEqual(MAX_DELAY_MS)
      expect(next).toBeGreaterThanOrEqual(Math.min(d, MAX_DELAY_MS))
      if (d < MAX_DELAY_MS) expect(next).toBeGreaterThan(d)
    }
  })
})
