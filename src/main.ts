/**
 * Orchestration: validate the inputs, look at AWS and GitHub, plan, carry the plan out (unless
 * dry-run), report. Every decision lives in pure modules; this file only sequences them.
 */
import * as core from '@actions/core'
import { createAwsClients } from './aws/clients.js'
import { envInputReader, parseConfig, type Config } from './config.js'
import { ActionError, isActionError } from './errors.js'
import { execute, PartialWriteError, type Outcome } from './execute.js'
import { createGitHubClient } from './github/client.js'
import { Destinations } from './github/destinations.js'
import { observe } from './observe.js'
import { buildPlan, type Plan } from './plan.js'
import { planLines } from './render/describe.js'
import { setOutputs, writeSummary } from './render/report.js'

const log = { info: core.info, warning: core.warning, debug: core.debug }

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const started = Date.now()
  let config: Config | undefined
  let plan: Plan | undefined
  let outcome: Outcome | undefined
  try {
    config = parseConfig(envInputReader(env), env)
    const cfg = config
    for (const w of cfg.warnings) core.warning(w)
    const aws = createAwsClients(cfg.region)
    const github = new Destinations(createGitHubClient(cfg.githubToken, log), cfg.secretStore)

    const observation = await core.group('Look up AWS and GitHub', () => observe(cfg, aws, github))
    plan = buildPlan(cfg, observation.observed, new Date())
    const thePlan = plan
    await core.group(cfg.dryRun ? 'Plan (dry run: nothing will change)' : 'Plan', async () => {
      for (const line of planLines(thePlan, cfg)) core.info(line)
    })
    for (const w of thePlan.warnings.filter(w => !cfg.warnings.includes(w))) core.warning(w)
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
    }
    setOutputs(thePlan, outcome)
    await writeSummary({
      config: cfg,
      plan: thePlan,
      ...(outcome ? { outcome } : {}),
      totalMs: Date.now() - started
    })
  } catch (e) {
    await fail(e, config, plan, started)
  }
}

async function fail(
  e: unknown,
  config: Config | undefined,
  plan: Plan | undefined,
  started: number
): Promise<void> {
  const error = isActionError(e)
    ? e
    : new ActionError(
        'AWS_CALL_FAILED',
        `Unexpected error: ${e instanceof Error ? e.message : String(e)}`,
        'run again with ACTIONS_STEP_DEBUG=true and report the stack trace.'
      )
  if (e instanceof Error && e.stack) core.debug(e.stack)
  const outcome = e instanceof PartialWriteError ? e.outcome : undefined
  if (config && plan) {
    setOutputs(plan, outcome)
    await writeSummary({
      config,
      plan,
      ...(outcome ? { outcome } : {}),
      error: error.toLine(),
      totalMs: Date.now() - started
    }).catch(() => undefined)
  }
  core.setFailed(error.toLine())
}

function runId(env: NodeJS.ProcessEnv): string {
  const id = env.GITHUB_RUN_ID
    ? `run-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
    : `local-${process.pid}`
  return id
}
