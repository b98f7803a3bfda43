/**
 * Loading a lazily bundled chunk (libsodium, the S3 client) keeps the thread busy for tens of
 * milliseconds. Done while requests are in flight, it costs no wall time; done just before they
 * are sent, it delays them. `whileRequestsFly` starts the load once the next HTTP request has been
 * handed to the network: a turn of the event loop after the request starts, when the requests of
 * the same wave (signed in the same turn) have been written too.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'

const REQUEST_STARTS = ['http.client.request.start', 'undici:request:create']

export function whileRequestsFly(load: () => Promise<unknown>): void {
  const start = () => {
    for (const channel of REQUEST_STARTS) unsubscribe(channel, start)
    setImmediate(() => load().catch(() => undefined))
  }
  for (const channel of REQUEST_STARTS) subscribe(channel, start)
}
