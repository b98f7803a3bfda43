/** Turns AWS SDK failures into catalogue errors that name the IAM action and the fix. */
import { ActionError, errorText } from '../errors.js'

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'InvalidClientTokenIdException',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'UnrecognizedClientException'
])

export function errorName(e: unknown): string {
  if (e && typeof e === 'object' && 'name' in e) return String((e as { name: unknown }).name)
  return ''
}

export function httpStatus(e: unknown): number | undefined {
  const meta = (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
  return meta?.httpStatusCode
}

/**
 * The SDK retried, and the retry found that the thing it was making exists: the earlier attempt,
 * whose answer was lost, made it.
 */
export function madeByLostAttempt(e: unknown, ...alreadyThere: string[]): boolean {
  const attempts = (e as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts
  return alreadyThere.includes(errorName(e)) && (attempts ?? 1) > 1
}

export function isNotFound(e: unknown): boolean {
  const name = errorName(e)
  return (
    name === 'NoSuchEntityException' ||
    name === 'NoSuchEntity' ||
    name === 'NotFound' ||
    name === 'NoSuchBucket'
  )
}

export function toAwsError(action: string, e: unknown): ActionError {
  if (e instanceof ActionError) return e
  const name = errorName(e)
  const detail = errorText(e)
  if (CREDENTIAL_ERRORS.has(name))
    return new ActionError(
      'AWS_CREDENTIALS',
      `AWS rejected the action's own credentials while calling ${action} (${name}).`,
      'configure AWS credentials before this step, e.g. aws-actions/configure-aws-credentials with role-to-assume (OIDC).',
      { cause: e }
    )
  if (/AccessDenied|UnauthorizedOperation|Forbidden/i.test(name) || httpStatus(e) === 403)
    return new ActionError(
      'AWS_PERMISSION',
      `The action's AWS role may not call ${action} (${name || 'AccessDenied'}).`,
      `allow ${action} in the role's policy (README, "AWS permissions"), or check an SCP or permissions boundary that denies it.`,
      { cause: e }
    )
  return new ActionError(
    'AWS_CALL_FAILED',
    `AWS call ${action} failed: ${name ? `${name}: ` : ''}${detail}`,
    'run the step again; if it keeps failing, check the AWS service health and the message above.',
    { cause: e }
  )
}

/** Runs one AWS call and reports a failure against the IAM action it needs. */
export async function awsCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (e) {
    throw toAwsError(action, e)
  }
}

/**
 * For removals: "not found" means it is gone, which is what was asked (also when an attempt whose
 * answer was lost removed it, and the SDK's retry found nothing left).
 */
export async function awsRemove(action: string, call: () => Promise<unknown>): Promise<void> {
  await awsLookup(action, call)
}

/** Like awsCall, but a "not found" answer becomes undefined. */
export async function awsLookup<T>(action: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call()
  } catch (e) {
    if (isNotFound(e)) return undefined
    throw toAwsError(action, e)
  }
}

/**
 * DeleteUser refused while something is attached that the action never makes (a login profile, an
 * MFA device, a signing certificate, an SSH key, service-specific credentials): IAM's message
 * names which.
 */
export function userNotDeletable(userName: string, e: unknown): ActionError {
  return new ActionError(
    'USER_NOT_DELETABLE',
    `IAM would not delete user '${userName}': ${errorText(e)} Its access keys and policies are removed; the user stays.`,
    `remove what IAM names from the user (aws iam delete-login-profile, deactivate-mfa-device, delete-signing-certificate, delete-ssh-public-key, delete-service-specific-credential), then run again with remove: true.`,
    { cause: e }
  )
}
