// Unit test of the plugin in src/github/client.ts that gives the throttling plugin GitHub's
// documented wait for a secondary rate limit: Octokit with both plugins over a fake fetch, with
// the throttling plugin's base value at 1 ms a second, so that no test waits a minute.
import { Octokit } from '@octokit/core'
import { throttling } from '@octokit/plugin-throttling'
import { documentedWaits } from '../../src/github/client.js'

const LIMITED = JSON.stringify({ message: 'You have exceeded a secondary rate limit.' })

/** A fetch answering the first `refusals` requests with a secondary limit and `headers`. */
function fakeFetch(refusals: number, headers: () => Record<string, string>) {
  let calls = 0
  return async () => {
    calls++
    if (calls > refusals)
      return new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } })
    return new Response(LIMITED, {
      status: 403,
      headers: { 'content-type': 'application/json', ...headers() }
    })
  }
}

async function waitsFor(refusals: number, headers: () => Record<string, string>) {
  const waits: number[] = []
  const Client = Octokit.plugin(documentedWaits, throttling)
  const octokit = new Client({
    request: { fetch: fakeFetch(refusals, headers) },
    throttle: {
      retryAfterBaseValue: 1,
      onRateLimit: () => false,
      onSecondaryRateLimit: (after: number) => {
        waits.push(after)
        return true
      }
    }
  })
  await octokit.request('GET /zen')
  return waits
}

test('neither retry-after nor a spent limit: a minute, doubled with each retry', async () => {
  expect(await waitsFor(3, () => ({ 'x-ratelimit-remaining': '4000' }))).toEqual([60, 120, 240])
})

test('the primary limit spent: until x-ratelimit-reset and a second', async () => {
  const reset = () => String(Math.floor(Date.now() / 1000) + 20)
  const waits = await waitsFor(1, () => ({
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': reset()
  }))
  expect(waits).toHaveLength(1)
  expect(waits[0]).toBeGreaterThanOrEqual(20)
  expect(waits[0]).toBeLessThanOrEqual(21)
})

test('retry-after is left as GitHub sent it', async () => {
  expect(await waitsFor(2, () => ({ 'retry-after': '7' }))).toEqual([7, 7])
})
