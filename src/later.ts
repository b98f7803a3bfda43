/**
 * What the first AWS requests do not need: @actions/core (with the @actions/http-client and undici
 * it brings), the GitHub client (@actions/github, Octokit and its plugins), execute and the report.
 * They are chunks of the bundle, loaded once the first requests are on their way: compiling them
 * (about 80 ms here) any earlier would hold those back. The GitHub look-ups wait for them; they
 * leave no later than they would if everything had loaded at start-up.
 */
import type { GitHubClient } from './github/client.js'
import { afterRequestsSent } from './prefetch.js'

export interface Later {
  core: typeof import('@actions/core')
  execute: typeof import('./execute.js')
  github: typeof import('./github/client.js')
  report: typeof import('./render/report.js')
}

export interface LaterLoader {
  /** Resolves once loaded; loading starts once the first requests are sent, or at load(). */
  ready: Promise<Later>
  /** Set once loaded. */
  loaded: Later | undefined
  /** Loads it now (once). */
  load(): Promise<Later>
}

export function loadLater(): LaterLoader {
  let loading: Promise<Later> | undefined
  let release!: (later: Promise<Later>) => void
  const loader: LaterLoader = {
    ready: new Promise(resolve => (release = resolve)),
    loaded: undefined,
    load() {
      if (!loading) {
        stopWaiting()
        loading = Promise.all([
          import('@actions/core'),
          import('./execute.js'),
          import('./github/client.js'),
          import('./render/report.js')
        ]).then(
          ([core, execute, github, report]) => (loader.loaded = { core, execute, github, report })
        )
        release(loading)
      }
      return loading
    }
  }
  const stopWaiting = afterRequestsSent(() => void loader.load())
  return loader
}

/**
 * The GitHub client, created once `later` is loaded. Destinations makes every call through
 * `request`, the only method this stand-in has; each waits for the real client.
 */
export function lazyGitHubClient(
  later: LaterLoader,
  token: string,
  log: Parameters<Later['github']['createGitHubClient']>[1]
): Pick<GitHubClient, 'request'> {
  let client: Promise<GitHubClient> | undefined
  const real = () =>
    (client ??= later.ready.then(({ github }) => github.createGitHubClient(token, log)))
  const request = async (...args: Parameters<GitHubClient['request']>) =>
    (await real()).request(...args)
  return { request } as unknown as Pick<GitHubClient, 'request'>
}
