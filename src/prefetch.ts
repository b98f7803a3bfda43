/**
 * Loading a lazily bundled chunk (the rest of the action, libsodium) keeps the thread busy for
 * tens of milliseconds. Done while requests are in flight, it costs no wall time; done just before
 * they are sent, it delays them. `afterRequestsSent` calls back once the requests about to be made
 * are on their way.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { ClientRequest } from 'node:http'

const REQUEST_CREATED = 'http.client.request.created'

/**
 * Calls `then` once the next burst of HTTP requests is on its way: every request made since has
 * been handed to the OS ('finish') or has ended without ('close'), and none followed within a turn
 * of the event loop (requests sent together are made in one burst). Returns a function that stops
 * waiting. Only node:http requests count (the AWS SDK's; Octokit's fetch is not seen).
 */
export function afterRequestsSent(then: () => void): () => void {
  const pending = new Set<ClientRequest>()
  let waiting = true
  const stop = () => {
    waiting = false
    unsubscribe(REQUEST_CREATED, created)
  }
  const created = (message: unknown) => {
    const { request } = message as { request: ClientRequest }
    pending.add(request)
    const done = () => {
      if (!pending.delete(request) || pending.size > 0) return
      setImmediate(() => {
        if (pending.size > 0 || !waiting) return
        stop()
        then()
      })
    }
    request.once('finish', done).once('close', done)
  }
  subscribe(REQUEST_CREATED, created)
  return stop
}
