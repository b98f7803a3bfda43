/**
 * Typed helpers to build a Config the way the action does: through parseConfig, from a record of
 * raw input values. Missing inputs read as '' (the runner passes every declared input; an empty
 * value means "use the default").
 */
import { type Config, type InputReader, parseConfig } from '../src/inputs/config.js'

export type Inputs = Record<string, string>

/** The smallest set of inputs that parses: a token and the home repository. */
export const MINIMAL_INPUTS: Readonly<Inputs> = {
  'github-token': 'github_pat_test',
  repository: 'octo-org/app'
}

/** An environment with no AWS region variables, so the region default is predictable. */
export const EMPTY_ENV: Readonly<NodeJS.ProcessEnv> = {}

export function reader(values: Inputs): InputReader {
  return name => values[name] ?? ''
}

/** parseConfig over MINIMAL_INPUTS plus the given inputs (an input set to '' is left empty). */
export function configFrom(inputs: Inputs = {}, env: NodeJS.ProcessEnv = EMPTY_ENV): Config {
  return parseConfig(reader({ ...MINIMAL_INPUTS, ...inputs }), env)
}

/** A parsed base config with fields overridden afterwards, for tests of code that reads a Config. */
export function baseConfig(overrides: Partial<Config> = {}, inputs: Inputs = {}): Config {
  return { ...configFrom(inputs), ...overrides }
}
