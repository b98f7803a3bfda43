/**
 * Orchestration: validate the inputs, look at AWS and GitHub, plan, carry the plan out (unless
 * dry-run), report. Every decision lives in pure modules; this file only sequences them.
 */
import * as core from '@actions/core'
import { createAwsClients } from './aws/clients.js'
import { envInputReader, parseConfig, type Config } from './config.js'
import { ActionError, isActionError } from './errors.js'
import { execute } from './execute.js'
import { PartialWriteError, type Outcome } from './outcome.js'
import { createGitHubClient } from './github/client.js'
import { Destinations } from './github/destinations.js'
import { observe } from './observe.js'
import { buildPlan, type Plan } from './plan.js'
import { observedLines, planLines } from './render/describe.js'
import { setOutputs, writeSummary } from './render/report.js'

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const started = Date.now()
  const state: RunState = { warnings: [], timingsMs: {}, started }
  // Every warning is an annotation, and is repeated in the job summary.
  const log = {
    info: core.info,
    debug: core.debug,
    warning: (message: string) => {
      if (!state.warnings.includes(message)) state.warnings.push(message)
      core.warning(message)
    }
  }
  let outcome: Outcome | undefined
  try {
    state.config = parseConfig(envInputReader(env), env)
    const cfg = state.config
    for (const w of cfg.warnings) log.warning(w)
    const aws = createAwsClients(cfg.region)
    const github = new Destinations(createGitHubClient(cfg.githubToken, log), cfg.secretStore)

    const observation = await timed(state, 'lookup', () =>
      core.group('Look up AWS and GitHub', async () => {
        const found = await observe(cfg, aws, github)
        for (const line of observedLines(found.observed, new Date())) core.debug(line)
        return found
      })
    )
    state.plan = buildPlan(cfg, observation.observed, new Date(), runId(env))
    const thePlan = state.plan
    await core.group(cfg.dryRun ? 'Plan (dry run: nothing will change)' : 'Plan', async () => {
      for (const line of planLines(thePlan, cfg)) core.info(line)
      core.debug(`Plan: ${JSON.stringify(thePlan)}`)
    })
    for (const w of thePlan.warnings.filter(w => !cfg.warnings.includes(w))) log.warning(w)
    if (!cfg.dryRun) {
      outcome = await core.group('Apply', () =>
        execute({
          config: cfg,
          plan: thePlan,
          aws,
          github,
          observed: observation.observed.destinations,
          selectedRepositoryIds: observation.selectedRepositoryIds,
          runId: runId(env),
          now: () => new Date(),
          log
        })
      )
      Object.assign(state.timingsMs, outcome.timingsMs)
    }
    setOutputs(thePlan, outcome)
    state.timingsMs.total = Date.now() - started
    await writeSummary({
      config: cfg,
      plan: thePlan,
      ...(outcome ? { outcome } : {}),
      warnings: state.warnings,
      timingsMs: state.timingsMs
    })
  } catch (e) {
    await fail(e, state)
  }
}

/** What a run knows so far: a failure reports as much of it as exists. */
interface RunState {
  config?: Config
  plan?: Plan
  warnings: string[]
  timingsMs: Record<string, number>
  started: number
}

async function timed<T>(state: RunState, phase: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now()
  try {
    return await work()
  } finally {
    state.timingsMs[phase] = Date.now() - start
  }
}

async function fail(e: unknown, state: RunState): Promise<void> {
  const error = isActionError(e)
    ? e
    : new ActionError(
        'UNEXPECTED',
        `Unexpected error: ${e instanceof Error ? e.message : String(e)}`,
        're-run the job with debug logging (ACTIONS_STEP_DEBUG) and report the stack trace it prints.'
      )
  core.debug(`Error code: ${error.code}`)
  for (const err of [e, error.cause]) if (err instanceof Error && err.stack) core.debug(err.stack)
  const outcome = e instanceof PartialWriteError ? e.outcome : undefined
  if (outcome) Object.assign(state.timingsMs, outcome.timingsMs)
  state.timingsMs.total = Date.now() - state.started
  const line = error.toLine()
  try {
    if (state.plan) setOutputs(state.plan, outcome)
    await writeSummary({
      ...(state.config ? { config: state.config } : {}),
      ...(state.plan ? { plan: state.plan } : {}),
      ...(outcome ? { outcome } : {}),
      error: { code: error.code, line },
      warnings: state.warnings,
      timingsMs: state.timingsMs
    })
  } catch (summaryError) {
    core.debug(`Could not write the job summary: ${String(summaryError)}`)
  }
  core.setFailed(line)
}

function runId(env: NodeJS.ProcessEnv): string {
  const id = env.GITHUB_RUN_ID
    ? `run-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
    : `local-${process.pid}`
  return id
}
