/**
 * GitHub's secondary rate limits for content-creating requests: about 80 a minute and 500 an hour
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api). Every secret or
 * variable the plan writes is one such request. Counted before anything changes, so that a run that
 * cannot finish within the hour fails up front instead of half-way, and pure, so that the dry run
 * shows the same verdict.
 */
import { ActionError } from '../errors.js'
import type { DestinationWrite } from './types.js'

/** Content-creating requests GitHub.com allows a minute: above, the writes are paced. */
export const WRITES_PER_MINUTE = 80
/** Content-creating requests GitHub.com allows an hour: the default of max-writes. */
export const WRITES_PER_HOUR = 500

export interface WriteCount {
  /** Secret and variable writes (PUT, POST or PATCH requests). */
  writes: number
  /** Destinations with at least one write. */
  destinations: number
}

export function countWrites(writes: DestinationWrite[]): WriteCount {
  const per = writes.map(w => w.secrets.length + w.variables.length + w.access.length)
  return { writes: per.reduce((a, b) => a + b, 0), destinations: per.filter(n => n > 0).length }
}

/**
 * The warnings for the plan's writes; throws RATE_LIMIT_BUDGET when they exceed `maxWrites`
 * (nothing has changed yet when this is called).
 */
export function checkWriteBudget(writes: DestinationWrite[], maxWrites: number): string[] {
  const count = countWrites(writes)
  const what = `${count.writes} secret and variable writes to ${count.destinations} destination${count.destinations === 1 ? '' : 's'}`
  if (count.writes > maxWrites)
    throw new ActionError(
      'RATE_LIMIT_BUDGET',
      `This run needs ${what}, more than max-writes (${maxWrites}; GitHub.com allows ${WRITES_PER_HOUR} content-creating requests an hour), so GitHub would stop it part-way; nothing was changed.`,
      `store organization secrets instead (organization, visibility: selected, selected-repositories): four writes whatever the number of repositories; or split the repositories over runs an hour apart; on GitHub Enterprise Server with higher limits, raise max-writes.`
    )
  if (count.writes > WRITES_PER_MINUTE)
    return [
      `This run needs ${what}; GitHub allows about ${WRITES_PER_MINUTE} content-creating requests a minute, so the writes are paced once GitHub pushes back and take about ${Math.ceil(count.writes / WRITES_PER_MINUTE)} minutes. Organization secrets with visibility: selected need four writes whatever the number of repositories.`
    ]
  return []
}
