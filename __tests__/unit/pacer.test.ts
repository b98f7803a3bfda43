// Unit tests of the WritePacer (src/github/client.ts): write concurrency and pacing from
// retry-after feedback, with a hand-driven clock.
import { WRITE_CONCURRENCY, WritePacer } from '../../src/github/client.js'

function clock(start = 1_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

/** Runs `n` writes through the pacer that resolve at once. */
async function accept(pacer: WritePacer, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => pacer.schedule(async () => undefined)))
}

describe('WritePacer', () => {
  test('at most WRITE_CONCURRENCY writes are in flight', async () => {
    const pacer = new WritePacer()
    let inFlight = 0
    let most = 0
    const write = () =>
      pacer.schedule(async () => {
        most = Math.max(most, ++inFlight)
        await new Promise(resolve => setTimeout(resolve, 50))
        inFlight--
      })
    await Promise.all(Array.from({ length: 20 }, write))
    expect(WRITE_CONCURRENCY).toBe(4)
    expect(most).toBe(WRITE_CONCURRENCY)
  })

  test('unpaced until the first refusal', () => {
    expect(new WritePacer().spacingMs).toBe(0)
  })

  test('the first refusal paces at 90% of what GitHub accepted within retry-after', async () => {
    const c = clock()
    const pacer = new WritePacer(c.now)
    await accept(pacer, 10) // long before the window
    c.advance(120_000)
    await accept(pacer, 80)
    c.advance(500)
    expect(pacer.limited(60)).toBe(true)
    // 80 accepted in the last 60 s: 72 per 60 s, one every 834 ms.
    expect(pacer.spacingMs).toBe(Math.ceil(60_000 / 72))
  })

  test('the other writes refused in the same burst change nothing', async () => {
    const c = clock()
    const pacer = new WritePacer(c.now)
    await accept(pacer, 80)
    expect(pacer.limited(1)).toBe(true)
    const spacing = pacer.spacingMs
    c.advance(10)
    expect(pacer.limited(1)).toBe(false)
    expect(pacer.spacingMs).toBe(spacing)
  })

  test('a later refusal slows down further', async () => {
    const c = clock()
    const pacer = new WritePacer(c.now)
    await accept(pacer, 80)
    pacer.limited(1)
    expect(pacer.spacingMs).toBe(Math.ceil(1000 / 72))
    c.advance(2000)
    await accept(pacer, 72)
    expect(pacer.limited(1)).toBe(true)
    expect(pacer.spacingMs).toBe(Math.ceil(1000 / 64))
  })

  test('never stops: a refusal with nothing accepted allows one write per window', () => {
    const pacer = new WritePacer(clock().now)
    pacer.limited(60)
    expect(pacer.spacingMs).toBe(60_000)
  })

  test('a failed write is not counted as accepted', async () => {
    const c = clock()
    const pacer = new WritePacer(c.now)
    await expect(pacer.schedule(() => Promise.reject(new Error('403')))).rejects.toThrow('403')
    await accept(pacer, 9)
    pacer.limited(1)
    expect(pacer.spacingMs).toBe(Math.ceil(1000 / 8))
  })

  test('a write with a free slot starts in the same turn of the event loop', async () => {
    const pacer = new WritePacer()
    const started: number[] = []
    const writes = [1, 2, 3].map(i => pacer.schedule(async () => void started.push(i)))
    // Microtasks only: no timer or I/O turn has passed yet.
    await new Promise<void>(resolve => queueMicrotask(resolve))
    await Promise.resolve()
    expect(started).toEqual([1, 2, 3])
    await Promise.all(writes)
  })

  test('once paced, writes start spacingMs apart, in order', async () => {
    const pacer = new WritePacer()
    await accept(pacer, 80)
    pacer.limited(1)
    expect(pacer.spacingMs).toBe(Math.ceil(1000 / 72))
    const starts: number[] = []
    const scheduled = performance.now()
    await Promise.all(
      Array.from({ length: 5 }, () =>
        pacer.schedule(async () => void starts.push(performance.now()))
      )
    )
    // Start k comes no sooner than k spacings after the first start was reserved (which is no
    // sooner than `scheduled`; the first start itself may be measured later on a busy machine).
    // One that started late does not push the later ones back: the pace is kept over the window,
    // as GitHub counts it.
    starts.forEach((at, k) => expect(at - scheduled).toBeGreaterThanOrEqual(k * pacer.spacingMs))
    expect(starts.at(-1)! - starts[0]!).toBeLessThan(4 * pacer.spacingMs + 200)
  })
})
