/**
 * The error catalogue. Every failure the action reports is one of these: a one-line cause and a
 * one-line remedy. The top level prints them with core.setFailed; stacks appear only in debug.
 */
/** Every code, in the order of the README's troubleshooting table. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'GITHUB_TOKEN_DEFAULT',
  'GITHUB_AUTH',
  'GITHUB_PERMISSION',
  'GITHUB_NOT_FOUND',
  'GITHUB_RATE_LIMITED',
  'GITHUB_WRITE_FAILED',
  'AWS_CREDENTIALS',
  'ACCOUNT_MISMATCH',
  'AWS_PERMISSION',
  'AWS_CALL_FAILED',
  'BUCKET_FOREIGN',
  'BUCKET_REGION_MISMATCH',
  'USER_PATH_MISMATCH',
  'USER_NOT_MANAGED',
  'USER_IN_GROUP',
  'BOUNDARY_MISSING',
  'ROLE_NOT_MANAGED',
  'OIDC_PROVIDER_MISSING',
  'OIDC_SUBJECT_CUSTOMIZED',
  'KEY_AMBIGUOUS',
  'KEY_NOT_VERIFIED',
  'ROTATION_IN_PROGRESS',
  'RATE_LIMIT_BUDGET',
  'GITHUB_LIMIT',
  'PARTIAL_WRITE',
  'REMOVAL_INCOMPLETE',
  'USER_NOT_DELETABLE',
  'DRIFT_DETECTED',
  'UNEXPECTED'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export class ActionError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly remedy: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'ActionError'
  }

  /** The one line a user reads in the failed step: "cause. To fix: remedy", never two lines. */
  toLine(): string {
    const cause = oneLine(this.message)
    return `${/[.!?]$/.test(cause) ? cause : `${cause}.`} To fix: ${oneLine(this.remedy)}`
  }
}

export class InputError extends ActionError {
  constructor(
    readonly input: string,
    rule: string,
    remedy = `set the input '${input}' to a value that follows this rule.`
  ) {
    super('INVALID_INPUT', `Input '${input}': ${rule}.`, remedy)
    this.name = 'InputError'
  }
}

/** Several input errors at once, so one run shows every mistake, not only the first. */
export class InputErrors extends ActionError {
  constructor(readonly errors: InputError[]) {
    super(
      'INVALID_INPUT',
      errors.map(e => e.message).join(' '),
      errors.length === 1 ? errors[0]!.remedy : 'correct the inputs named above.'
    )
    this.name = 'InputErrors'
  }
}

export function isActionError(e: unknown): e is ActionError {
  return e instanceof ActionError
}

/** The message of anything thrown. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Collapses line breaks and runs of blanks (e.g. from an SDK message) into single spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
