/** The entry the runner executes: one awaited call; anything thrown fails the step. */
import { run } from './main.js'

try {
  await run()
} catch (e) {
  // Loaded only here: run() loads @actions/core itself once its first requests are on their way.
  const core = await import('@actions/core')
  core.setFailed(e instanceof Error ? e.message : String(e))
}
