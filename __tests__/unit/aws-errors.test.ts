// Unit tests of src/aws/errors.ts: how an AWS SDK failure is named, classified (credentials,
// permission, not found, anything else) and turned into a catalogue error with its remedy.
import { jest } from '@jest/globals'
import { ActionError } from '../../src/errors.js'
import {
  awsCall,
  awsLookup,
  awsRemove,
  errorName,
  httpStatus,
  isNotFound,
  madeByLostAttempt,
  toAwsError,
  userNotDeletable
} from '../../src/aws/errors.js'

/** What the SDK throws: an Error whose name is the service's error code, with $metadata. */
function sdkError(name: string, message = `${name} message`, status?: number): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: status === undefined ? {} : { httpStatusCode: status }
  })
}

function parts(e: ActionError): { code: string; message: string; remedy: string } {
  return { code: e.code, message: e.message, remedy: e.remedy }
}

const CREDENTIALS_REMEDY =
  'configure AWS credentials before this step, e.g. aws-actions/configure-aws-credentials with role-to-assume (OIDC).'
const CALL_FAILED_REMEDY =
  'run the step again; if it keeps failing, check the AWS service health and the message above.'

function permissionRemedy(action: string): string {
  return `allow ${action} in the role's policy (README, "AWS permissions"), or check an SCP or permissions boundary that denies it.`
}

describe('errorName', () => {
  test.each([
    ['an SDK error', sdkError('NoSuchEntityException'), 'NoSuchEntityException'],
    ['a plain Error', new Error('x'), 'Error'],
    ['an object with a non-string name', { name: 42 }, '42'],
    ['an object without a name', { message: 'x' }, ''],
    ['a string', 'NoSuchEntity', ''],
    ['a number', 7, ''],
    ['undefined', undefined, ''],
    ['null', null, '']
  ])('%s -> %j', (_what, e, name) => {
    expect(errorName(e)).toBe(name)
  })
})

describe('httpStatus', () => {
  test('the status of the SDK metadata', () => {
    expect(httpStatus(sdkError('X', 'x', 403))).toBe(403)
  })

  test.each([
    ['no metadata', new Error('x')],
    ['metadata without a status', sdkError('X')],
    ['undefined', undefined],
    ['null', null]
  ])('%s -> undefined', (_what, e) => {
    expect(httpStatus(e)).toBeUndefined()
  })
})

describe('madeByLostAttempt', () => {
  const retried = (name: string, attempts?: number): unknown =>
    Object.assign(new Error(name), { name, $metadata: attempts === undefined ? {} : { attempts } })

  test('a name that is not listed is never made by a lost attempt', () => {
    expect(madeByLostAttempt(retried('EntityAlreadyExists', 5), 'BucketAlreadyOwnedByYou')).toBe(
      false
    )
    expect(madeByLostAttempt(retried('EntityAlreadyExists', 5))).toBe(false)
  })

  test('any of the listed names counts, after more than one attempt', () => {
    expect(madeByLostAttempt(retried('B', 2), 'A', 'B')).toBe(true)
    expect(madeByLostAttempt(retried('A', 2), 'A', 'B')).toBe(true)
    expect(madeByLostAttempt(retried('B', 1), 'A', 'B')).toBe(false)
    expect(madeByLostAttempt(retried('B', 0), 'A', 'B')).toBe(false)
  })

  test('no attempt count is one attempt; nothing thrown is no match', () => {
    expect(madeByLostAttempt(retried('A'), 'A')).toBe(false)
    expect(madeByLostAttempt(undefined, 'A')).toBe(false)
    expect(madeByLostAttempt(null, '')).toBe(false)
  })
})

describe('isNotFound', () => {
  test.each(['NoSuchEntityException', 'NoSuchEntity', 'NotFound', 'NoSuchBucket'])(
    '%s is "not found"',
    name => {
      expect(isNotFound(sdkError(name))).toBe(true)
    }
  )

  test.each([
    'AccessDenied',
    'NoSuchKey',
    'NoSuchBucketPolicy',
    'nosuchbucket',
    'NotFoundException',
    'Error',
    ''
  ])('%j is not', name => {
    expect(isNotFound(sdkError(name))).toBe(false)
  })

  test('a 404 without one of those names is not', () => {
    expect(isNotFound(sdkError('UnknownError', 'x', 404))).toBe(false)
    expect(isNotFound(undefined)).toBe(false)
  })
})

describe('toAwsError', () => {
  test('an ActionError passes through unchanged', () => {
    const original = new ActionError('KEY_AMBIGUOUS', 'already classified', 'do this')
    expect(toAwsError('iam:GetUser', original)).toBe(original)
  })

  test.each([
    'CredentialsProviderError',
    'InvalidClientTokenId',
    'InvalidClientTokenIdException',
    'ExpiredToken',
    'ExpiredTokenException',
    'SignatureDoesNotMatch',
    'InvalidAccessKeyId',
    'UnrecognizedClientException'
  ])("%s: the action's own credentials were rejected", name => {
    const cause = sdkError(name, 'The security token included in the request is invalid', 403)
    const e = toAwsError('sts:GetCallerIdentity', cause)
    expect(e).toBeInstanceOf(ActionError)
    expect(parts(e)).toEqual({
      code: 'AWS_CREDENTIALS',
      message: `AWS rejected the action's own credentials while calling sts:GetCallerIdentity (${name}).`,
      remedy: CREDENTIALS_REMEDY
    })
    expect(e.cause).toBe(cause)
  })

  test('credential names are matched exactly, not by part', () => {
    expect(toAwsError('iam:GetUser', sdkError('ExpiredTokenX', 'm')).code).toBe('AWS_CALL_FAILED')
    expect(toAwsError('iam:GetUser', sdkError('expiredtoken', 'm')).code).toBe('AWS_CALL_FAILED')
  })

  test.each([
    'AccessDenied',
    'AccessDeniedException',
    'accessdenied',
    'UnauthorizedOperation',
    'unauthorizedoperation',
    'Forbidden',
    'forbidden',
    'S3Forbidden'
  ])('%s: the role may not call the action', name => {
    const cause = sdkError(name, 'User: arn:aws:sts::1:assumed-role/r is not authorized', 400)
    const e = toAwsError('iam:CreateUser', cause)
    expect(parts(e)).toEqual({
      code: 'AWS_PERMISSION',
      message: `The action's AWS role may not call iam:CreateUser (${name}).`,
      remedy: permissionRemedy('iam:CreateUser')
    })
    expect(e.cause).toBe(cause)
  })

  test('any 403 is a permission failure, named by its error name', () => {
    const e = toAwsError('s3:PutBucketPolicy', sdkError('PolicyRefused', 'no', 403))
    expect(parts(e)).toEqual({
      code: 'AWS_PERMISSION',
      message: "The action's AWS role may not call s3:PutBucketPolicy (PolicyRefused).",
      remedy: permissionRemedy('s3:PutBucketPolicy')
    })
  })

  test('a 403 without a name is named AccessDenied', () => {
    const cause = { $metadata: { httpStatusCode: 403 } }
    const e = toAwsError('s3:GetBucketTagging', cause)
    expect(parts(e)).toEqual({
      code: 'AWS_PERMISSION',
      message: "The action's AWS role may not call s3:GetBucketTagging (AccessDenied).",
      remedy: permissionRemedy('s3:GetBucketTagging')
    })
    expect(e.cause).toBe(cause)
  })

  test('any other failure: the name and the message of the SDK', () => {
    const cause = sdkError('ThrottlingException', 'Rate exceeded', 400)
    const e = toAwsError('iam:TagUser', cause)
    expect(parts(e)).toEqual({
      code: 'AWS_CALL_FAILED',
      message: 'AWS call iam:TagUser failed: ThrottlingException: Rate exceeded',
      remedy: CALL_FAILED_REMEDY
    })
    expect(e.cause).toBe(cause)
  })

  test('a 404 or 500 that names no permission problem is a failed call', () => {
    expect(toAwsError('iam:GetUser', sdkError('Weird', 'w', 404)).code).toBe('AWS_CALL_FAILED')
    expect(toAwsError('iam:GetUser', sdkError('InternalError', 'w', 500)).code).toBe(
      'AWS_CALL_FAILED'
    )
  })

  test('a failure without a name: only its text', () => {
    const e = toAwsError('s3:CreateBucket', 'socket hang up')
    expect(parts(e)).toEqual({
      code: 'AWS_CALL_FAILED',
      message: 'AWS call s3:CreateBucket failed: socket hang up',
      remedy: CALL_FAILED_REMEDY
    })
    expect(e.cause).toBe('socket hang up')
  })
})

describe('awsCall', () => {
  test('returns what the call returns', async () => {
    const call = jest.fn(async () => ({ UserName: 'u' }))
    await expect(awsCall('iam:GetUser', call)).resolves.toEqual({ UserName: 'u' })
    expect(call).toHaveBeenCalledTimes(1)
  })

  test('a failure becomes the catalogue error naming the action', async () => {
    const cause = sdkError('AccessDenied', 'denied', 403)
    const thrown = await awsCall('iam:GetUser', async () => {
      throw cause
    }).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(ActionError)
    expect(parts(thrown as ActionError)).toEqual({
      code: 'AWS_PERMISSION',
      message: "The action's AWS role may not call iam:GetUser (AccessDenied).",
      remedy: permissionRemedy('iam:GetUser')
    })
    expect((thrown as ActionError).cause).toBe(cause)
  })

  test('"not found" is a failure too', async () => {
    const thrown = await awsCall('iam:GetUser', async () => {
      throw sdkError('NoSuchEntity', 'The user with name u cannot be found.', 404)
    }).catch((e: unknown) => e)
    expect(parts(thrown as ActionError)).toEqual({
      code: 'AWS_CALL_FAILED',
      message: 'AWS call iam:GetUser failed: NoSuchEntity: The user with name u cannot be found.',
      remedy: CALL_FAILED_REMEDY
    })
  })
})

describe('awsLookup', () => {
  test('returns what the call returns', async () => {
    await expect(awsLookup('iam:GetUser', async () => 'found')).resolves.toBe('found')
  })

  test.each(['NoSuchEntityException', 'NoSuchEntity', 'NotFound', 'NoSuchBucket'])(
    '%s becomes undefined',
    async name => {
      await expect(
        awsLookup('s3:HeadBucket', async () => {
          throw sdkError(name, 'gone', 404)
        })
      ).resolves.toBeUndefined()
    }
  )

  test('anything else becomes the catalogue error naming the action', async () => {
    const thrown = await awsLookup('s3:HeadBucket', async () => {
      throw sdkError('ExpiredToken', 'expired', 400)
    }).catch((e: unknown) => e)
    expect(parts(thrown as ActionError)).toEqual({
      code: 'AWS_CREDENTIALS',
      message:
        "AWS rejected the action's own credentials while calling s3:HeadBucket (ExpiredToken).",
      remedy: CREDENTIALS_REMEDY
    })
  })
})

describe('awsRemove', () => {
  test('runs the call and resolves to nothing', async () => {
    const call = jest.fn(async () => ({ deleted: true }))
    await expect(awsRemove('iam:DeleteAccessKey', call)).resolves.toBeUndefined()
    expect(call).toHaveBeenCalledTimes(1)
  })

  test('"not found" is what was asked: it is gone', async () => {
    const call = jest.fn(async () => {
      throw sdkError('NoSuchEntity', 'gone', 404)
    })
    await expect(awsRemove('iam:DeleteAccessKey', call)).resolves.toBeUndefined()
    expect(call).toHaveBeenCalledTimes(1)
  })

  test('anything else becomes the catalogue error naming the action', async () => {
    const thrown = await awsRemove('iam:DeleteAccessKey', async () => {
      throw sdkError('LimitExceeded', 'too many', 409)
    }).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(ActionError)
    expect(parts(thrown as ActionError)).toEqual({
      code: 'AWS_CALL_FAILED',
      message: 'AWS call iam:DeleteAccessKey failed: LimitExceeded: too many',
      remedy: CALL_FAILED_REMEDY
    })
  })
})

describe('userNotDeletable', () => {
  test("names the user and IAM's reason, says what stays, and keeps IAM's error as the cause", () => {
    const cause = sdkError(
      'DeleteConflict',
      'Cannot delete entity, must delete login profile first.',
      409
    )
    const e = userNotDeletable('octo-org+octo-repo', cause)
    expect({ code: e.code, cause: e.cause }).toEqual({ code: 'USER_NOT_DELETABLE', cause })
    expect(e.message).toBe(
      "IAM would not delete user 'octo-org+octo-repo': Cannot delete entity, must delete login profile first. Its access keys and policies are removed; the user stays."
    )
    expect(e.remedy).toMatch(
      /^remove what IAM names from the user .*then run again with remove: true\.$/
    )
  })
})
