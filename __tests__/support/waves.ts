/**
 * The critical path of a run, as seen on the wire: its requests grouped into waves, the round trips
 * the run waited for one after the other. A request is in the wave after the latest one whose
 * answer (a fixed latency after its arrival) came before it started. So requests that wait for no
 * answer are in the first wave however late the machine sends them, and the machine's own speed is
 * left out. A wave with a request signed with the new key is part of its verification (with what
 * runs alongside it). Used by the critical-path test and by the benchmark.
 */
import type { AwsRequestRecord } from './aws-proxy.js'
import type { RecordedRequest } from './github-standin.js'

export interface Wave {
  verification: boolean
  requests: string[]
}

interface Event {
  at: number
  what: string
  verification: boolean
}

/**
 * The waves of the given requests. `newKeyId` marks the verification; GitHub requests are named by
 * their OpenAPI route (`route`) or by their path's last segment, the secret's name (`name`).
 */
export function wavesOf(
  aws: AwsRequestRecord[],
  github: RecordedRequest[],
  latencyMs: number,
  opts: { newKeyId?: string; github?: 'route' | 'name' } = {}
): Wave[] {
  const events: Event[] = [
    ...aws.map(a => ({
      at: a.at,
      what: `${a.service.toUpperCase()} ${a.action}`,
      verification: opts.newKeyId !== undefined && a.accessKeyId === opts.newKeyId
    })),
    ...github.map(g => ({
      at: g.at,
      what:
        opts.github === 'name'
          ? `GitHub ${g.method} ${g.path.split('/').at(-1) ?? ''}`
          : `GitHub ${g.method} ${g.route.replace(/^\/repos\/\{owner\}\/\{repo\}/, '')}`,
      verification: false
    }))
  ]
  return group(events, latencyMs)
}

function group(events: Event[], latencyMs: number): Wave[] {
  const sorted = [...events].sort((a, b) => a.at - b.at)
  const depth: number[] = []
  let answered = 0
  let deepestAnswered = 0
  sorted.forEach((e, i) => {
    while (answered < i && sorted[answered]!.at + latencyMs <= e.at)
      deepestAnswered = Math.max(deepestAnswered, depth[answered++]!)
    depth[i] = deepestAnswered + 1
  })
  const waves: Wave[] = []
  sorted.forEach((e, i) => {
    const wave = (waves[depth[i]! - 1] ??= { verification: false, requests: [] })
    wave.requests.push(e.what)
    wave.verification ||= e.verification
  })
  return waves
}

/** Splits the waves at the verification: those before it, and those after it. */
export function aroundVerification(waves: Wave[]): { before: Wave[]; after: Wave[] } {
  const first = waves.findIndex(w => w.verification)
  if (first < 0) return { before: waves, after: [] }
  const last = waves.findLastIndex(w => w.verification)
  return { before: waves.slice(0, first), after: waves.slice(last + 1) }
}

/** One line a wave, `1. IAM GetUser, S3 HeadBucket ×2`, verification waves in parentheses. */
export function describeWaves(waves: Wave[]): string {
  return waves
    .map(w => {
      const counts = new Map<string, number>()
      for (const r of w.requests) counts.set(r, (counts.get(r) ?? 0) + 1)
      const list = [...counts].map(([r, n]) => (n > 1 ? `${r} ×${n}` : r)).join(', ')
      return w.verification ? `(verification: ${list})` : list
    })
    .map((text, i) => `${i + 1}. ${text}`)
    .join('\n')
}
