// Unit tests of the removal calls of src/aws/iam.ts and src/aws/s3.ts with fake SDK clients: what
// is already gone counts as removed; IAM's DeleteConflict and S3's BucketNotEmpty are named.
import type { IAMClient } from '@aws-sdk/client-iam'
import type { S3Client } from '@aws-sdk/client-s3'
import { ActionError } from '../../src/errors.js'
import { Iam } from '../../src/aws/iam.js'
import { S3 } from '../../src/aws/s3.js'

function sdkError(name: string, message = `${name} message`, status?: number): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: status === undefined ? {} : { httpStatusCode: status }
  })
}

/** A client whose every send answers `answer` (or throws it when it is an Error). */
function client<T>(answer: unknown): T {
  return {
    send: async () => {
      if (answer instanceof Error) throw answer
      return answer
    }
  } as unknown as T
}

const iam = (answer: unknown) => new Iam(client<IAMClient>(answer), () => undefined)
const s3 = (answer: unknown) => new S3(client<S3Client>(answer))

describe('Iam.deleteUser', () => {
  test('a user already gone counts as deleted', async () => {
    await expect(iam(sdkError('NoSuchEntityException')).deleteUser('u')).resolves.toBeUndefined()
  })

  test('DeleteConflict: USER_NOT_DELETABLE with what IAM names and the remedy', async () => {
    const conflict = sdkError(
      'DeleteConflictException',
      'Cannot delete entity, must delete login profile first.',
      409
    )
    const e = (await iam(conflict)
      .deleteUser('octo-org+app')
      .catch((x: unknown) => x)) as ActionError
    expect(e).toBeInstanceOf(ActionError)
    expect(e.code).toBe('USER_NOT_DELETABLE')
    expect(e.message).toBe(
      "IAM would not delete user 'octo-org+app': Cannot delete entity, must delete login profile first. Its access keys and policies are removed; the user stays."
    )
    expect(e.remedy).toContain('delete-login-profile')
  })

  test('another failure names iam:DeleteUser', async () => {
    const e = (await iam(sdkError('AccessDenied', 'no', 403))
      .deleteUser('u')
      .catch((x: unknown) => x)) as ActionError
    expect(e.code).toBe('AWS_PERMISSION')
    expect(e.message).toContain('iam:DeleteUser')
  })
})

describe('S3 removal calls', () => {
  test('isEmpty: no version and no delete marker', async () => {
    await expect(s3({}).isEmpty('b', '1')).resolves.toBe(true)
    await expect(s3({ Versions: [{ Key: 'k' }] }).isEmpty('b', '1')).resolves.toBe(false)
    await expect(s3({ DeleteMarkers: [{ Key: 'k' }] }).isEmpty('b', '1')).resolves.toBe(false)
  })

  test.each([
    ['deleted', {}, 'deleted'],
    ['already gone', sdkError('NoSuchBucket', 'gone', 404), 'deleted'],
    ['not empty after all', sdkError('BucketNotEmpty', 'not empty', 409), 'not-empty']
  ])('deleteBucket: %s', async (_, answer, expected) => {
    await expect(s3(answer).deleteBucket('b', '1')).resolves.toBe(expected)
  })

  test('deleteBucket: another failure names s3:DeleteBucket', async () => {
    const e = (await s3(sdkError('AccessDenied', 'no', 403))
      .deleteBucket('b', '1')
      .catch((x: unknown) => x)) as ActionError
    expect(e.code).toBe('AWS_PERMISSION')
    expect(e.message).toContain('s3:DeleteBucket')
  })
})
