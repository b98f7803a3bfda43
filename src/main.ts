/**
 * Orchestration: validate the inputs, look at AWS and GitHub, plan, carry the plan out (unless
 * dry-run), report. Every decision lives in pure modules; this file only sequences them. Only what
 * the first AWS requests need is loaded before they leave; the rest comes meanwhile (later.ts).
 */
import { createAwsClients } from './aws/clients.js'
import { envInputReader, parseConfig, type Config } from './config.js'
import { ActionError, isActionError } from './errors.js'
import { Destinations } from './github/destinations.js'
import { lazyGitHubClient, loadLater, type Later } from './later.js'
import { observe } from './observe.js'
import { PartialWriteError, type Outcome } from './outcome.js'
import { buildPlan, type Plan } from './plan.js'
import { observedLines, planLines } from './render/describe.js'

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const started = Date.now()
  const state: RunState = { warnings: [], timingsMs: {}, started }
  const later = loadLater()
  let outcome: Outcome | undefined
  try {
    state.config = parseConfig(envInputReader(env), env)
    const cfg = state.config
    const aws = createAwsClients(cfg.region, later.ready)
    // Every warning is an annotation, and is repeated in the job summary. Called only once `later`
    // is loaded: by the GitHub client (created then) and below.
    const log = {
      info: (message: string) => later.loaded!.core.info(message),
      debug: (message: string) => later.loaded!.core.debug(message),
      warning: (message: string) => {
        if (!state.warnings.includes(message)) state.warnings.push(message)
        later.loaded!.core.warning(message)
      }
    }
    const github = new Destinations(lazyGitHubClient(later, cfg.githubToken, log), cfg.secretStore)

    // The first requests leave before the rest of the action is loaded; what they find is
    // reported (in the same order as ever) once it is.
    const lookup = timed(state, 'lookup', () => observe(cfg, aws, github))
    lookup.catch(() => void later.load())
    const { core } = await later.ready
    for (const w of cfg.warnings) log.warning(w)
    const observation = await core.group('Look up AWS and GitHub', async () => {
      const found = await lookup
      for (const line of observedLines(found.observed, new Date())) core.debug(line)
      return found
    })
    state.plan = buildPlan(cfg, observation.observed, new Date(), runId(env))
    const thePlan = state.plan
    await core.group(cfg.dryRun ? 'Plan (dry run: nothing will change)' : 'Plan', async () => {
      for (const line of planLines(thePlan, cfg)) core.info(line)
      core.debug(`Plan: ${JSON.stringify(thePlan)}`)
    })
    for (const w of thePlan.warnings.filter(w => !cfg.warnings.includes(w))) log.warning(w)
    if (!cfg.dryRun) {
      const { execute } = (await later.ready).execute
      outcome = await core.group('Apply', () =>
        execute({
          config: cfg,
          plan: thePlan,
          aws,
          github,
          observed: observation.observed.destinations,
          selectedRepositoryIds: observation.selectedRepositoryIds,
          userKeyIds: (observation.observed.user?.keys ?? []).map(k => k.id),
          runId: runId(env),
          now: () => new Date(),
          log
        })
      )
      Object.assign(state.timingsMs, outcome.timingsMs)
    }
    const { setOutputs, writeSummary } = (await later.ready).report
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
    await fail(e, state, await later.load())
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

async function fail(e: unknown, state: RunState, { core, report }: Later): Promise<void> {
  const error = isActionError(e)
    ? e
    : new ActionError(
        'UNEXPECTED',
        `Unexpected error: ${e instanceof Error ? e.message : String(e)}`,
        're-run the job with debug logging (ACTIONS_STEP_DEBUG) and report the stack trace it prints.'
      )
  core.debug(`Error code: ${error.code}`)
  await loadSourceMapSupport()
  for (const err of [e, error.cause]) if (err instanceof Error && err.stack) core.debug(err.stack)
  const outcome = e instanceof PartialWriteError ? e.outcome : undefined
  if (outcome) Object.assign(state.timingsMs, outcome.timingsMs)
  state.timingsMs.total = Date.now() - state.started
  const line = error.toLine()
  try {
    if (state.plan) report.setOutputs(state.plan, outcome)
    await report.writeSummary({
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

/**
 * Source-mapped stack traces (src/..., node_modules/...): the bundle's source-map support,
 * dist/sourcemap-register.cjs next to dist/index.js, is loaded only when a stack trace is about to
 * be printed, rather than with the bundle (see scripts/build.mjs). It maps every stack that has not
 * been formatted yet, so also those of errors thrown before it was loaded.
 */
const SOURCE_MAP_SUPPORT = './sourcemap-register.cjs'

async function loadSourceMapSupport(): Promise<void> {
  try {
    await import(/* webpackIgnore: true */ SOURCE_MAP_SUPPORT)
  } catch {
    // Without it the traces stay unmapped: the failure being reported matters more.
  }
}

function runId(env: NodeJS.ProcessEnv): string {
  const id = env.GITHUB_RUN_ID
    ? `run-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? '1'}`
    : `local-${process.pid}`
  return id
}
