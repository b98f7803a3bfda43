// Unit tests of the policy documents in src/policy.ts.
import type { PolicyChoice } from '../../src/inputs/config.js'
import {
  bucketAccessPolicy,
  bucketArn,
  grantsFor,
  type PolicyDocument,
  sameDocument,
  tlsOnlyBucketPolicy
} from '../../src/plan/policy.js'

const BUCKET = 'octo-org-app-123456789012'
const ARN = `arn:aws:s3:::${BUCKET}`

/** Every (action, resource) pair a document allows. */
function allowed(doc: PolicyDocument): string[] {
  return doc.Statement.filter(s => s.Effect === 'Allow').flatMap(s =>
    s.Action.flatMap(a => [s.Resource].flat().map(r => `${a} on ${r}`))
  )
}

describe('bucketAccessPolicy', () => {
  test('read-write allows exactly the listed actions on the bucket and its objects', () => {
    const doc = bucketAccessPolicy('aws', BUCKET, 'read-write')
    expect(doc.Version).toBe('2012-10-17')
    expect(allowed(doc).sort()).toEqual(
      [
        `s3:ListBucket on ${ARN}`,
        `s3:GetBucketLocation on ${ARN}`,
        `s3:ListBucketMultipartUploads on ${ARN}`,
        `s3:GetObject on ${ARN}/*`,
        `s3:PutObject on ${ARN}/*`,
        `s3:DeleteObject on ${ARN}/*`,
        `s3:AbortMultipartUpload on ${ARN}/*`,
        `s3:ListMultipartUploadParts on ${ARN}/*`
      ].sort()
    )
  })

  test('read-only allows listing and reading only', () => {
    const doc = bucketAccessPolicy('aws', BUCKET, 'read-only')
    expect(allowed(doc).sort()).toEqual(
      [
        `s3:ListBucket on ${ARN}`,
        `s3:GetBucketLocation on ${ARN}`,
        `s3:GetObject on ${ARN}/*`
      ].sort()
    )
  })

  test.each([['read-write'], ['read-only']] as const)(
    '%s has no wildcard action, no "*" resource, no Deny and no Principal',
    access => {
      const doc = bucketAccessPolicy('aws', BUCKET, access)
      for (const s of doc.Statement) {
        expect(s.Effect).toBe('Allow')
        expect(s.Principal).toBeUndefined()
        expect(s.Condition).toBeUndefined()
        for (const a of s.Action) expect(a).toMatch(/^s3:[A-Za-z]+$/)
        for (const r of [s.Resource].flat()) expect([ARN, `${ARN}/*`]).toContain(r)
      }
      // Sids are unique (IAM rejects duplicates).
      const sids = doc.Statement.map(s => s.Sid)
      expect(new Set(sids).size).toBe(sids.length)
    }
  )

  test('read-only has no Put or Delete action', () => {
    const actions = bucketAccessPolicy('aws', BUCKET, 'read-only').Statement.flatMap(s => s.Action)
    expect(actions.filter(a => /Put|Delete|Abort/.test(a))).toEqual([])
  })

  test('the partition is part of every resource', () => {
    const doc = bucketAccessPolicy('aws-cn', BUCKET, 'read-write')
    for (const r of doc.Statement.flatMap(s => [s.Resource].flat()))
      expect(r.startsWith(`arn:aws-cn:s3:::${BUCKET}`)).toBe(true)
  })
})

describe('tlsOnlyBucketPolicy', () => {
  test('denies every request without TLS on the bucket and its objects', () => {
    expect(tlsOnlyBucketPolicy('aws', BUCKET)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:*'],
          Resource: [ARN, `${ARN}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } }
        }
      ]
    })
  })

  test('allows nothing', () => {
    expect(allowed(tlsOnlyBucketPolicy('aws', BUCKET))).toEqual([])
  })
})

describe('grantsFor', () => {
  test.each<[string, PolicyChoice, ReturnType<typeof grantsFor>]>([
    [
      'bucket-read-write',
      { kind: 'bucket-read-write' },
      { inline: bucketAccessPolicy('aws', BUCKET, 'read-write'), managedArns: [] }
    ],
    [
      'bucket-read-only',
      { kind: 'bucket-read-only' },
      { inline: bucketAccessPolicy('aws', BUCKET, 'read-only'), managedArns: [] }
    ],
    [
      's3-full-access',
      { kind: 's3-full-access' },
      { managedArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] }
    ],
    [
      'managed',
      { kind: 'managed', arn: 'arn:aws:iam::123456789012:policy/X' },
      { managedArns: ['arn:aws:iam::123456789012:policy/X'] }
    ]
  ])('%s', (_name, choice, expected) => {
    expect(grantsFor(choice, 'aws', BUCKET)).toStrictEqual(expected)
  })

  test('s3-full-access follows the partition', () => {
    expect(grantsFor({ kind: 's3-full-access' }, 'aws-us-gov', BUCKET).managedArns).toEqual([
      'arn:aws-us-gov:iam::aws:policy/AmazonS3FullAccess'
    ])
  })

  test('bucketArn', () => {
    expect(bucketArn('aws', 'b')).toBe('arn:aws:s3:::b')
  })
})

describe('sameDocument', () => {
  const doc = bucketAccessPolicy('aws', BUCKET, 'read-write')

  test('a document equals itself and its JSON round trip', () => {
    expect(sameDocument(doc, doc)).toBe(true)
    expect(sameDocument(doc, JSON.parse(JSON.stringify(doc)))).toBe(true)
  })

  test('key order does not matter, at any depth', () => {
    const reordered = {
      Statement: doc.Statement.map(s => ({
        Resource: s.Resource,
        Action: s.Action,
        Sid: s.Sid,
        Effect: s.Effect
      })),
      Version: doc.Version
    }
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(doc))
    expect(sameDocument(reordered, doc)).toBe(true)
    const a = { Bool: { x: '1', y: '2' } }
    const b = { Bool: { y: '2', x: '1' } }
    expect(sameDocument(a, b)).toBe(true)
  })

  test.each<[string, unknown]>([
    ['read-only instead of read-write', bucketAccessPolicy('aws', BUCKET, 'read-only')],
    ['another bucket', bucketAccessPolicy('aws', 'other-bucket', 'read-write')],
    ['another partition', bucketAccessPolicy('aws-cn', BUCKET, 'read-write')],
    [
      'one action less',
      { ...doc, Statement: [doc.Statement[0], { ...doc.Statement[1], Action: ['s3:GetObject'] }] }
    ],
    ['one statement less', { ...doc, Statement: [doc.Statement[0]] }],
    ['an extra key', { ...doc, Id: 'x' }],
    ['the TLS policy', tlsOnlyBucketPolicy('aws', BUCKET)],
    ['nothing', undefined],
    ['an empty object', {}]
  ])('a different document is different: %s', (_case, other) => {
    expect(sameDocument(doc, other)).toBe(false)
    expect(sameDocument(other, doc)).toBe(false)
  })

  test('primitives and arrays compare by value, arrays in order', () => {
    expect(sameDocument('a', 'a')).toBe(true)
    expect(sameDocument(['a', 'b'], ['a', 'b'])).toBe(true)
    expect(sameDocument(['a', 'b'], ['b', 'a'])).toBe(false)
    expect(sameDocument(1, '1')).toBe(false)
  })
})
