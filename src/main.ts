/**
 * The pipeline: inputs → observe → plan → apply unless dry-run → report. Every decision lives in
 * pure modules; this file only sequences them and turns a failure into one line.
 */
import * as core from '@actions/core'
import { createAwsClients } from './aws/clients.js'
import { envInputReader, parseConfig, type Config } from './inputs/config.js'
import { ActionError, errorText, isActionError } from './errors.js'
import { execute } from './apply/execute.js'
import { createGitHubClient } from './github/client.js'
import { Destinations } from './github/destinations.js'
import { observe } from './observe.js'
import {
  PartialWriteError,
  RemovalIncompleteError,
  timed,
  type Log,
  type Outcome,
  type RemovalOutcome
} from './apply/outcome.js'
import { remove } from './apply/remove.js'
import { buildPlan } from './plan/plan.js'
import { buildRemovalPlan, isRemovalPlan } from './plan/removal.js'
import { buildRolePlan } from './plan/role.js'
import { executeRole } from './apply/role-mode.js'
import { writeRoleSummary } from './render/role.js'
import { markersLeftLine, observedLines } from './render/describe.js'
import { anyPlanChanges } from './plan/drift.js'
import type { AccessKey } from './plan/observed.js'
import {
  anyPlanLines,
  anyPlanWarnings,
  driftError,
  setOutputs,
  writeSummary,
  type AnyOutcome,
  type AnyPlan
} from './render/report.js'

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const state: RunState = { warnings: [], timingsMs: {}, started: Date.now(), markersLeft: [] }
  try {
    maskToken(envInputReader(env)('github-token'))
    const config = (state.config = parseConfig(envInputReader(env), env))
    const log = actionsLog(state.warnings)
    for (const w of config.warnings) log.warning(w)
    const aws = createAwsClients(config.region, secret => core.setSecret(secret), config.run)
    const github = new Destinations(createGitHubClient(config.githubToken, log), config.secretStore)

    const observation = await core.group('Look up AWS and GitHub', () =>
      timed(state.timingsMs, 'lookup', () => observe(config, aws, github))
    )
    for (const line of observedLines(observation.observed, new Date())) core.debug(line)
    state.keys = observation.observed.user?.keys

    const now = new Date()
    // One observation, three plans: take it down (remove), or set up a role or a key.
    const plan = (state.plan = config.remove
      ? buildRemovalPlan(config, observation.observed, now, config.run.id)
      : config.credentials === 'role'
        ? buildRolePlan(config, observation.observed, now, config.run.id)
        : buildPlan(config, observation.observed, now, config.run.id))
    await core.group(config.dryRun ? 'Plan (dry run: nothing will change)' : 'Plan', async () => {
      for (const line of anyPlanLines(plan, config)) core.info(line)
      core.debug(`Plan: ${JSON.stringify(plan)}`)
    })
    for (const w of anyPlanWarnings(plan).filter(w => !config.warnings.includes(w))) log.warning(w)

    // A drift check: fails (outputs and summary written) when the dry run's plan changes anything.
    if (config.failOnChanges && anyPlanChanges(plan)) throw driftError(plan, config)

    let outcome: AnyOutcome | undefined
    if (!config.dryRun) {
      const context = {
        config,
        aws,
        github,
        observed: observation.observed.destinations,
        selectedRepositoryIds: observation.selectedRepositoryIds,
        runId: config.run.id,
        now: () => new Date(),
        log
      }
      outcome = await core.group<AnyOutcome>('Apply', () =>
        isRemovalPlan(plan)
          ? remove({ plan, aws, github, accountId: observation.observed.identity.accountId, log })
          : plan.kind === 'role'
            ? executeRole({ ...context, plan })
            : execute({
                ...context,
                plan,
                userKeyIds: (observation.observed.user?.keys ?? []).map(k => k.id),
                markersLeft: state.markersLeft
              })
      )
      Object.assign(state.timingsMs, outcome.timingsMs)
    }
    await report(state, outcome)
  } catch (e) {
    await fail(e, state)
  }
  // Only a key's runs set marker tags (on the user).
  const left =
    state.plan &&
    'userName' in state.plan &&
    markersLeftLine(state.plan.userName, state.markersLeft)
  if (left) core.info(left)
}

/** What a run knows so far: a failure reports as much of it as exists. */
interface RunState {
  config?: Config
  plan?: AnyPlan
  warnings: string[]
  timingsMs: Record<string, number>
  started: number
  /** The user's keys as observed (the summary's key age). */
  keys?: AccessKey[] | undefined
  /** Marker tags this run set and could not remove. */
  markersLeft: string[]
}

/**
 * Masked before anything reads it, whole and line by line: the runner masks a registered value
 * where it appears, and a token with a line break (refused by the inputs) could otherwise show
 * its lines in the error that refuses it.
 */
function maskToken(token: string): void {
  if (!token) return
  core.setSecret(token)
  for (const line of token.split(/\r?\n|\r/)) if (line.trim()) core.setSecret(line.trim())
}

/** Every warning is an annotation, and is repeated (once) in the job summary. */
function actionsLog(warnings: string[]): Log {
  return {
    info: message => core.info(message),
    debug: message => core.debug(message),
    warning: message => {
      if (!warnings.includes(message)) warnings.push(message)
      core.warning(message)
    }
  }
}

async function report(
  state: RunState,
  outcome: AnyOutcome | undefined,
  error?: { code: ActionError['code']; line: string; remedy: string }
): Promise<void> {
  const plan = state.plan
  if (plan) setOutputs(plan, outcome)
  state.timingsMs.total = Date.now() - state.started
  if (plan && !isRemovalPlan(plan) && plan.kind === 'role') {
    await writeRoleSummary(plan, state.config!, {
      ...(outcome ? { outcome: outcome as Outcome } : {}),
      ...(error ? { error } : {}),
      warnings: state.warnings,
      timingsMs: state.timingsMs
    })
    return
  }
  // A removal reports its own plan and outcome; a setup the plan and the outcome.
  const planned =
    plan === undefined
      ? {}
      : isRemovalPlan(plan)
        ? { removal: outcome ? { plan, outcome: outcome as RemovalOutcome } : { plan } }
        : { plan, ...(outcome ? { outcome: outcome as Outcome } : {}) }
  await writeSummary({
    ...(state.config ? { config: state.config } : {}),
    ...planned,
    ...(error ? { error } : {}),
    ...(state.keys ? { keys: state.keys } : {}),
    warnings: state.warnings,
    timingsMs: state.timingsMs
  })
}

async function fail(e: unknown, state: RunState): Promise<void> {
  const error = isActionError(e)
    ? e
    : new ActionError(
        'UNEXPECTED',
        `Unexpected error: ${errorText(e)}`,
        're-run the job with debug logging (ACTIONS_STEP_DEBUG) and report the stack trace it prints.'
      )
  core.debug(`Error code: ${error.code}`)
  for (const err of [e, error.cause]) if (err instanceof Error && err.stack) core.debug(err.stack)
  const outcome =
    e instanceof PartialWriteError || e instanceof RemovalIncompleteError ? e.outcome : undefined
  if (outcome) Object.assign(state.timingsMs, outcome.timingsMs)
  const line = error.toLine()
  try {
    await report(state, outcome, { code: error.code, line, remedy: error.remedy })
  } catch (summaryError) {
    core.debug(`Could not write the job summary: ${String(summaryError)}`)
  }
  core.setFailed(line)
}
