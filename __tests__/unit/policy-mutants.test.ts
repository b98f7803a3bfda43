// Unit tests of src/plan/policy.ts written against its surviving mutants: how sameDocument
// compares documents (key order ignored at every depth, array order and types kept).
import { bucketAccessPolicy, INLINE_POLICY_NAME, sameDocument } from '../../src/plan/policy.js'

describe('sameDocument', () => {
  test('the order of keys does not matter, at any depth', () => {
    const a = { a: 1, b: 2, c: 3, d: 4, e: { x: 1, y: [{ p: 1, q: 2 }] } }
    const b = { e: { y: [{ q: 2, p: 1 }], x: 1 }, d: 4, c: 3, b: 2, a: 1 }
    const c = { c: 3, a: 1, e: { x: 1, y: [{ q: 2, p: 1 }] }, d: 4, b: 2 }
    const d = { b: 2, d: 4, a: 1, c: 3, e: { y: [{ p: 1, q: 2 }], x: 1 } }
    for (const [x, y] of [
      [a, b],
      [b, a],
      [a, c],
      [c, b],
      [d, a],
      [b, d]
    ])
      expect(sameDocument(x, y)).toBe(true)
  })

  test('a policy document as IAM returns it, keys reordered, is the same', () => {
    const ours = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::b/*' }
      ]
    }
    const returned = {
      Statement: [
        { Resource: 'arn:aws:s3:::b/*', Action: ['s3:GetObject'], Effect: 'Allow', Sid: 'A' }
      ],
      Version: '2012-10-17'
    }
    expect(sameDocument(returned, ours)).toBe(true)
    expect(sameDocument(ours, returned)).toBe(true)
  })

  test('a different value anywhere is a different document', () => {
    expect(sameDocument({ a: 1, b: { c: 2 } }, { b: { c: 3 }, a: 1 })).toBe(false)
    expect(sameDocument({ a: 1 }, { a: 1, b: 2 })).toBe(false)
    expect(sameDocument({ a: 1 }, { b: 1 })).toBe(false)
    expect(sameDocument({ a: '1' }, { a: 1 })).toBe(false)
  })

  test('the order of array elements matters', () => {
    expect(sameDocument(['s3:GetObject', 's3:PutObject'], ['s3:PutObject', 's3:GetObject'])).toBe(
      false
    )
    expect(sameDocument({ Action: ['a', 'b'] }, { Action: ['a', 'b'] })).toBe(true)
  })

  test('an array is not an object with index keys, nor a string', () => {
    expect(sameDocument(['a', 'b'], { 0: 'a', 1: 'b' })).toBe(false)
    expect(sameDocument({ 0: 'a', 1: 'b' }, ['a', 'b'])).toBe(false)
    expect(sameDocument('ab', { 0: 'a', 1: 'b' })).toBe(false)
    expect(sameDocument('ab', ['a', 'b'])).toBe(false)
  })

  test('primitives and null compare as themselves', () => {
    expect(sameDocument(null, null)).toBe(true)
    expect(sameDocument(null, {})).toBe(false)
    expect(sameDocument({ a: null }, { a: null })).toBe(true)
    expect(sameDocument({ a: null }, { a: {} })).toBe(false)
    expect(sameDocument('x', 'x')).toBe(true)
    expect(sameDocument(1, 2)).toBe(false)
    expect(sameDocument(undefined, undefined)).toBe(true)
  })
})

describe('names in the documents', () => {
  test('the inline policy is named s3-credentials-action', () => {
    expect(INLINE_POLICY_NAME).toBe('s3-credentials-action')
  })

  test.each([
    ['read-write', ['ListAndLocateBucket', 'ReadWriteObjects']],
    ['read-only', ['ListAndLocateBucket', 'ReadObjects']]
  ] as const)('%s statements are named %j', (access, sids) => {
    expect(bucketAccessPolicy('aws', 'b', access).Statement.map(s => s.Sid)).toEqual(sids)
  })
})
