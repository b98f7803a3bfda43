/** The unit tests' view of a refusal: the ActionError a decision throws, as its three parts. */
import { isActionError } from '../src/errors.js'

export interface Refusal {
  code: string
  message: string
  remedy: string
}

/** What `run` refused with; fails the test if it throws anything else, or nothing. */
export function refusal(run: () => unknown): Refusal {
  try {
    run()
  } catch (e) {
    if (isActionError(e)) return { code: e.code, message: e.message, remedy: e.remedy }
    throw e
  }
  throw new Error('expected an ActionError')
}
