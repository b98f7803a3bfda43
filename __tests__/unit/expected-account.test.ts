// Issue 12 (round trips): aws-account-id names the account before STS answers; the bucket and the
// boundary are looked up with it at once, and STS must agree before anything is planned.
import { checkAccountId, checkRegion, regionPartition } from '../../src/inputs/rules.js'
import { checkExpectedAccount } from '../../src/plan/containment.js'
import { configFrom } from '../../__fixtures__/config.js'
import { InputErrors } from '../../src/errors.js'
import { refusal } from '../../__fixtures__/refusal.js'

describe('aws-account-id', () => {
  test.each(['123456789012', '000000000000'])('%s is an account id', id => {
    expect(checkAccountId(id)).toBeUndefined()
  })
  test.each(['12345678901', '1234567890123', '12345678901a', ' 123456789012', 'arn:aws:iam::1'])(
    '%j is not',
    id => {
      expect(checkAccountId(id)).toBe('an AWS account id is twelve digits, e.g. 123456789012')
    }
  )

  test('parsed into the config when given, absent otherwise', () => {
    expect(configFrom({ 'aws-account-id': '123456789012' }).awsAccountId).toBe('123456789012')
    expect('awsAccountId' in configFrom()).toBe(false)
  })

  test('a malformed one is an input error naming the input, before anything is looked up', () => {
    let error: unknown
    try {
      configFrom({ 'aws-account-id': '1234' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputErrors)
    expect((error as InputErrors).errors.map(e => [e.input, e.message])).toEqual([
      [
        'aws-account-id',
        "Input 'aws-account-id': an AWS account id is twelve digits, e.g. 123456789012."
      ]
    ])
  })
})

describe('regionPartition', () => {
  test.each([
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc']
  ])('%s is in %s', (region, partition) => {
    expect(checkRegion(region)).toBeUndefined()
    expect(regionPartition(region)).toBe(partition)
  })
})

describe('checkExpectedAccount', () => {
  const actual = { accountId: '123456789012', partition: 'aws' }
  const refused = (expected: { accountId: string; partition: string }) =>
    refusal(() => checkExpectedAccount(expected, actual))

  test('nothing expected, or the same account and partition: no refusal', () => {
    expect(() => checkExpectedAccount(undefined, actual)).not.toThrow()
    expect(() => checkExpectedAccount({ ...actual }, actual)).not.toThrow()
  })

  test('another account: refused, naming both', () => {
    expect(refused({ accountId: '210987654321', partition: 'aws' })).toEqual({
      code: 'ACCOUNT_MISMATCH',
      message:
        'The credentials belong to AWS account 123456789012, not to 210987654321 (aws-account-id). Nothing was changed.',
      remedy:
        'configure credentials of the account aws-account-id names before this step, or correct aws-account-id.'
    })
  })

  test("the region's partition is not the credentials': refused, naming both", () => {
    expect(refused({ accountId: '123456789012', partition: 'aws-cn' })).toEqual({
      code: 'ACCOUNT_MISMATCH',
      message:
        'The credentials are of the aws partition, and aws-region names a region of aws-cn. Nothing was changed.',
      remedy: 'set aws-region to a region of aws, or configure credentials of aws-cn.'
    })
  })
})
