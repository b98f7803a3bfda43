/**
 * Issue 13: the action's role reaches only the users and buckets the action made. The bundled
 * action runs with the role's policy (docs/iam-policy.json, from bootstrap/role.yml): moto enforces
 * what it can, and the proxy's evaluator judges every request of the role as AWS would (resource
 * ARNs with the user's path, conditions, denies) and every request of a user the action made
 * against its inline policy and its boundary. Each refusal happens before any change, and the
 * role itself would have been refused anyway.
 */
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  IAMClient
} from '@aws-sdk/client-iam'
import { PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3'
import type { Authorizer } from '../support/iam-authorizer.js'
import { snapshotMoto, type AwsCreds } from '../support/moto.js'
import { actAsRole } from '../support/role.js'
import { assertNoSecretLeak, type RunResult } from '../support/run-action.js'
import {
  ACCOUNT_ID,
  BOUNDARY_ARN,
  closeWorld,
  openWorld,
  REGION,
  REPO,
  type World
} from '../support/world.js'

const USER = 'octo-org+octo-repo'
const BUCKET = `s3ca-octo-org-octo-repo-7739a8-${ACCOUNT_ID}`

afterAll(closeWorld)

interface Role {
  w: World
  admin: AwsCreds
  authorizer: Authorizer
  run(inputs?: Record<string, string>): Promise<RunResult>
  /** The role's own credentials, straight to the proxy (as someone holding the role could). */
  iam(): IAMClient
}

/** A world whose AWS credentials are the role's; `prepare` runs first, with moto open. */
async function asRole(prepare: (w: World) => Promise<void> = async () => {}): Promise<Role> {
  const w = await openWorld()
  await prepare(w)
  const { admin, authorizer } = await actAsRole(w)
  const clients: IAMClient[] = []
  return {
    w,
    admin,
    authorizer,
    run: async inputs => {
      w.aws.reset()
      w.aws.setAuthorizer(authorizer)
      return w.run(inputs, {
        AWS_ACCESS_KEY_ID: admin.accessKeyId,
        AWS_SECRET_ACCESS_KEY: admin.secretAccessKey
      })
    },
    iam: () => {
      const client = new IAMClient({
        endpoint: w.aws.url,
        region: 'us-east-1',
        credentials: admin,
        maxAttempts: 1
      })
      clients.push(client)
      return client
    }
  }
}

function refusal(r: RunResult, code: string, fragment: string): void {
  expect(r.code).not.toBe(0)
  const errors = r.log.split('\n').filter(l => l.startsWith('::error::'))
  expect(errors).toHaveLength(1)
  expect(errors[0]).toContain(fragment)
  expect(r.summary).toContain(`Failed (${code}):`)
}

async function deniedByRole(role: Role, send: () => Promise<unknown>): Promise<string> {
  role.w.aws.reset()
  role.w.aws.setAuthorizer(role.authorizer)
  await expect(send()).rejects.toMatchObject({ name: 'AccessDenied' })
  const denied = role.w.aws.requests.find(q => q.denied)
  expect(denied).toBeDefined()
  return denied!.denied!
}

describe('the role and the action, together', () => {
  test('setup, re-run and rotation pass with every request judged by the evaluator', async () => {
    const role = await asRole()
    const first = await role.run()
    expect({ code: first.code, denied: role.w.aws.requests.filter(q => q.denied) }).toEqual({
      code: 0,
      denied: []
    })
    const again = await role.run()
    expect(again.code).toBe(0)
    expect(role.w.aws.actions({ mutating: true })).toEqual([])
    const rotation = await role.run({ rotate: 'true' })
    expect(rotation.code).toBe(0)
    expect(role.w.aws.requests.filter(q => q.denied)).toEqual([])

    // The stored pair: its bucket's objects, and nothing else (its policy ∩ its boundary).
    const pair = role.w.storedPair()!
    assertNoSecretLeak(rotation, [pair.secretAccessKey])
    const judge = (service: 's3' | 'iam', action: string, bucket?: string) =>
      role.authorizer.authorize({
        service,
        action,
        accessKeyId: pair.accessKeyId,
        params: {},
        ...(bucket ? { bucket, key: 'build/artifact.zip' } : {})
      })
    expect((await judge('s3', 'PutObject', BUCKET)).allowed).toBe(true)
    expect((await judge('s3', 'GetObject', BUCKET)).allowed).toBe(true)
    expect((await judge('s3', 'PutObject', `s3ca-other-repo-abcdef-${ACCOUNT_ID}`)).allowed).toBe(
      false
    )
    expect((await judge('s3', 'GetObject', 'someone-elses-bucket')).allowed).toBe(false)
    expect((await judge('iam', 'ListUsers')).allowed).toBe(false)
  })
})

describe('refused before any change, and the role would be refused anyway', () => {
  test('an existing user without the ownership tag', async () => {
    const role = await asRole(async w => {
      await w.iam().send(new CreateUserCommand({ UserName: USER }))
    })
    const before = await snapshotMoto(role.w.moto)
    refusal(await role.run(), 'USER_NOT_MANAGED', `IAM user '${USER}' exists but has no tag`)
    expect(await snapshotMoto(role.w.moto)).toBe(before)
    expect(role.w.github.writeCount()).toBe(0)
    const denied = await deniedByRole(role, () =>
      role.iam().send(new CreateAccessKeyCommand({ UserName: USER }))
    )
    expect(denied).toContain(
      `iam:CreateAccessKey on resource: arn:aws:iam::${ACCOUNT_ID}:user/${USER}`
    )
  })

  test('a user in a group (alice, an administrator through it)', async () => {
    const role = await asRole(async w => {
      const iam = w.iam()
      await iam.send(
        new CreateUserCommand({
          UserName: 'alice',
          Path: '/s3-credentials-action/',
          Tags: [{ Key: 's3-credentials-action:repository', Value: REPO }]
        })
      )
      await iam.send(new CreateGroupCommand({ GroupName: 'admins' }))
      await iam.send(new AddUserToGroupCommand({ GroupName: 'admins', UserName: 'alice' }))
    })
    const before = await snapshotMoto(role.w.moto)
    refusal(
      await role.run({ 'user-name': 'alice' }),
      'USER_IN_GROUP',
      "IAM user 'alice' is a member of the group(s) admins"
    )
    expect(await snapshotMoto(role.w.moto)).toBe(before)
  })

  test('removal of a user on the path without the ownership tag: refused, and DeleteUser is denied to the role', async () => {
    const role = await asRole(async w => {
      await w.iam().send(new CreateUserCommand({ UserName: USER, Path: '/s3-credentials-action/' }))
    })
    const before = await snapshotMoto(role.w.moto)
    refusal(
      await role.run({ remove: 'true', 'remove-bucket': 'true' }),
      'USER_NOT_MANAGED',
      `IAM user '${USER}' exists but has no tag`
    )
    expect(await snapshotMoto(role.w.moto)).toBe(before)
    const denied = await deniedByRole(role, () =>
      role.iam().send(new DeleteUserCommand({ UserName: USER }))
    )
    expect(denied).toContain(
      `iam:DeleteUser on resource: arn:aws:iam::${ACCOUNT_ID}:user/s3-credentials-action/${USER}`
    )
  })

  test('policy AdministratorAccess: a bad input; attaching it is denied to the role', async () => {
    const role = await asRole()
    refusal(
      await role.run({ policy: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      'INVALID_INPUT',
      "Input 'policy': the AWS-managed policy AdministratorAccess is not allowed"
    )
    expect(role.w.aws.requests).toEqual([])
    expect((await role.run()).code).toBe(0)
    const denied = await deniedByRole(role, () =>
      role.iam().send(
        new AttachUserPolicyCommand({
          UserName: USER,
          PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess'
        })
      )
    )
    expect(denied).toContain('iam:AttachUserPolicy')
  })

  test('CreateUser without the boundary, or outside the path, straight to the proxy', async () => {
    const role = await asRole()
    const path = '/s3-credentials-action/'
    expect(
      await deniedByRole(role, () =>
        role.iam().send(new CreateUserCommand({ UserName: 'no-boundary', Path: path }))
      )
    ).toContain('iam:CreateUser')
    expect(
      await deniedByRole(role, () =>
        role.iam().send(
          new CreateUserCommand({
            UserName: 'elsewhere',
            Path: '/',
            PermissionsBoundary: BOUNDARY_ARN
          })
        )
      )
    ).toContain(`arn:aws:iam::${ACCOUNT_ID}:user/elsewhere`)
  })

  test('removing a boundary, and configuring an AWS service bucket, are denied', async () => {
    const role = await asRole()
    expect((await role.run()).code).toBe(0)
    expect(
      await deniedByRole(role, () =>
        role.iam().send(new DeleteUserPermissionsBoundaryCommand({ UserName: USER }))
      )
    ).toContain('explicit deny')
    const s3 = new S3Client({
      endpoint: role.w.aws.url,
      region: REGION,
      forcePathStyle: true,
      credentials: role.admin,
      maxAttempts: 1
    })
    try {
      await deniedByRole(role, () =>
        s3.send(
          new PutBucketPolicyCommand({
            Bucket: `elasticbeanstalk-us-east-1-${ACCOUNT_ID}`,
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] })
          })
        )
      )
    } finally {
      s3.destroy()
    }
  })
})
