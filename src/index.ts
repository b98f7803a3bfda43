/** The entry the runner executes: one awaited call; anything thrown fails the step. */
import * as core from '@actions/core'
import { errorText } from './errors.js'
import { run } from './main.js'

try {
  await run()
} catch (e) {
  core.setFailed(errorText(e))
}
