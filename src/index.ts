/** The entry the runner executes: one awaited call; anything thrown fails the step. */
import * as core from '@actions/core'
import { run } from './main.js'

try {
  await run()
} catch (e) {
  core.setFailed(e instanceof Error ? e.message : String(e))
}
