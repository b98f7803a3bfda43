// Unit tests of src/inputs/rules.ts written against its surviving mutants: the user-path and
// managed policy ARN patterns are anchored at both ends.
import { checkPolicyArn, checkUserPath } from '../../src/inputs/rules.js'

describe('checkUserPath is anchored', () => {
  test.each(['/', '/ci/', '/a/b/c/', '/!~/'])('%j is valid', path => {
    expect(checkUserPath(path)).toBeUndefined()
  })

  test.each(['ci/', 'x/ci/', '/ci', '/ci/x', '/ci/ ', ' /ci/', '/c i/', '//'])(
    '%j is not',
    path => {
      expect(checkUserPath(path)).toMatch(/^an IAM path /)
    }
  )
})

describe('checkPolicyArn is anchored', () => {
  test.each([
    'arn:aws:iam::aws:policy/AmazonS3FullAccess',
    'arn:aws:iam::123456789012:policy/Mine',
    'arn:aws:iam::123456789012:policy/path/to/Mine',
    'arn:aws-us-gov:iam::123456789012:policy/Mine',
    `arn:aws:iam::aws:policy/${'n'.repeat(128)}`
  ])('%s is valid', arn => {
    expect(checkPolicyArn(arn)).toBeUndefined()
  })

  test.each([
    'xarn:aws:iam::aws:policy/Name',
    ' arn:aws:iam::aws:policy/Name',
    'arn:aws:iam::aws:policy/Name!',
    'arn:aws:iam::aws:policy/Name ',
    'arn:aws:iam::aws:policy/Name\nmore',
    `arn:aws:iam::aws:policy/${'n'.repeat(129)}`,
    'arn:aws:iam::1234567890123:policy/Name',
    'arn:aws:iam::12345678901:policy/Name',
    'arn:aws:iam::awsx:policy/Name',
    'arn:aws:iam::aws:policy/',
    'arn:aws:iam::aws:role/Name'
  ])('%j is not', arn => {
    expect(checkPolicyArn(arn)).toBe(
      'a managed policy ARN looks like arn:aws:iam::aws:policy/Name or arn:aws:iam::123456789012:policy/path/Name'
    )
  })
})
