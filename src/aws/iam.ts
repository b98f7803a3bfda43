/** The IAM side: the user, its grants and its access keys. */
import {
  type AccessKeyMetadata,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand
} from '@aws-sdk/client-iam'
import type { Tag } from '../config.js'
import type { AccessKey, ObservedUser } from '../state.js'
import { awsCall, awsLookup } from './errors.js'

export interface NewAccessKey {
  id: string
  secret: string
  /** The SDK's attempts at CreateAccessKey: more than one, and an earlier one may have made a key. */
  attempts?: number
}

const toAccessKey = (k: AccessKeyMetadata): AccessKey => ({
  id: k.AccessKeyId ?? '',
  status: k.Status === 'Active' ? 'Active' : 'Inactive',
  createdAt: k.CreateDate ?? new Date(0)
})

const toAwsTags = (tags: Tag[]) => tags.map(t => ({ Key: t.key, Value: t.value }))

export class Iam {
  constructor(private readonly client: IAMClient) {}

  /**
   * Reads the user with its tags, keys and grants at once; undefined when it does not exist. The
   * inline policy `expectedPolicy` (the action's own) is read in the same round trip, before its
   * name is listed: a second one is needed only for other inline policies.
   */
  async findUser(userName: string, expectedPolicy?: string): Promise<ObservedUser | undefined> {
    const UserName = userName
    const [user, keys, inlineNames, attached, expected] = await Promise.all([
      awsLookup('iam:GetUser', () => this.client.send(new GetUserCommand({ UserName }))),
      awsLookup('iam:ListAccessKeys', () =>
        this.client.send(new ListAccessKeysCommand({ UserName }))
      ),
      awsLookup('iam:ListUserPolicies', () => this.listInlinePolicyNames(userName)),
      awsLookup('iam:ListAttachedUserPolicies', () => this.listAttachedPolicyArns(userName)),
      expectedPolicy === undefined
        ? undefined
        : awsLookup('iam:GetUserPolicy', () =>
            this.client.send(new GetUserPolicyCommand({ UserName, PolicyName: expectedPolicy }))
          )
    ])
    if (!user?.User) return undefined
    const names = inlineNames ?? []
    const known: Record<string, unknown> =
      expectedPolicy !== undefined && names.includes(expectedPolicy) && expected?.PolicyDocument
        ? { [expectedPolicy]: parseDocument(expected.PolicyDocument) }
        : {}
    const inlinePolicies = {
      ...known,
      ...(await this.readInlinePolicies(
        userName,
        names.filter(n => !(n in known))
      ))
    }
    const boundary = user.User.PermissionsBoundary?.PermissionsBoundaryArn
    return {
      arn: user.User.Arn ?? '',
      path: user.User.Path ?? '/',
      tags: (user.User.Tags ?? []).map(t => ({ key: t.Key ?? '', value: t.Value ?? '' })),
      ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
      inlinePolicies,
      managedPolicyArns: attached ?? [],
      keys: (keys?.AccessKeyMetadata ?? []).map(toAccessKey)
    }
  }

  private async listInlinePolicyNames(UserName: string): Promise<string[]> {
    const names: string[] = []
    let Marker: string | undefined
    do {
      const page = await this.client.send(new ListUserPoliciesCommand({ UserName, Marker }))
      names.push(...(page.PolicyNames ?? []))
      Marker = page.IsTruncated ? page.Marker : undefined
    } while (Marker)
    return names
  }

  private async listAttachedPolicyArns(UserName: string): Promise<string[]> {
    const arns: string[] = []
    let Marker: string | undefined
    do {
      const page = await this.client.send(new ListAttachedUserPoliciesCommand({ UserName, Marker }))
      arns.push(...(page.AttachedPolicies ?? []).map(p => p.PolicyArn ?? ''))
      Marker = page.IsTruncated ? page.Marker : undefined
    } while (Marker)
    return arns
  }

  private async readInlinePolicies(
    UserName: string,
    names: string[]
  ): Promise<Record<string, unknown>> {
    const documents = await Promise.all(
      names.map(PolicyName =>
        awsCall('iam:GetUserPolicy', () =>
          this.client.send(new GetUserPolicyCommand({ UserName, PolicyName }))
        )
      )
    )
    return Object.fromEntries(
      documents.map((d, i) => [names[i]!, parseDocument(d.PolicyDocument ?? '{}')])
    )
  }

  async createUser(opts: {
    userName: string
    path: string
    tags: Tag[]
    permissionsBoundary?: string
  }): Promise<string> {
    const out = await awsCall('iam:CreateUser', () =>
      this.client.send(
        new CreateUserCommand({
          UserName: opts.userName,
          Path: opts.path,
          ...(opts.tags.length > 0 ? { Tags: toAwsTags(opts.tags) } : {}),
          ...(opts.permissionsBoundary ? { PermissionsBoundary: opts.permissionsBoundary } : {})
        })
      )
    )
    return out.User?.Arn ?? ''
  }

  async tagUser(UserName: string, tags: Tag[]): Promise<void> {
    await awsCall('iam:TagUser', () =>
      this.client.send(new TagUserCommand({ UserName, Tags: toAwsTags(tags) }))
    )
  }

  async untagUser(UserName: string, keys: string[]): Promise<void> {
    await awsCall('iam:UntagUser', () =>
      this.client.send(new UntagUserCommand({ UserName, TagKeys: keys }))
    )
  }

  async setPermissionsBoundary(UserName: string, PermissionsBoundary: string): Promise<void> {
    await awsCall('iam:PutUserPermissionsBoundary', () =>
      this.client.send(new PutUserPermissionsBoundaryCommand({ UserName, PermissionsBoundary }))
    )
  }

  async putInlinePolicy(UserName: string, PolicyName: string, document: unknown): Promise<void> {
    await awsCall('iam:PutUserPolicy', () =>
      this.client.send(
        new PutUserPolicyCommand({ UserName, PolicyName, PolicyDocument: JSON.stringify(document) })
      )
    )
  }

  async deleteInlinePolicy(UserName: string, PolicyName: string): Promise<void> {
    await awsCall('iam:DeleteUserPolicy', () =>
      this.client.send(new DeleteUserPolicyCommand({ UserName, PolicyName }))
    )
  }

  async attachPolicy(UserName: string, PolicyArn: string): Promise<void> {
    await awsCall('iam:AttachUserPolicy', () =>
      this.client.send(new AttachUserPolicyCommand({ UserName, PolicyArn }))
    )
  }

  async detachPolicy(UserName: string, PolicyArn: string): Promise<void> {
    await awsCall('iam:DetachUserPolicy', () =>
      this.client.send(new DetachUserPolicyCommand({ UserName, PolicyArn }))
    )
  }

  /** Creates a key and masks its secret before anything else can see it. */
  async createAccessKey(UserName: string): Promise<NewAccessKey> {
    const out = await awsCall('iam:CreateAccessKey', () =>
      this.client.send(new CreateAccessKeyCommand({ UserName }))
    )
    const secret = out.AccessKey?.SecretAccessKey ?? ''
    // @actions/core is a chunk of the bundle that main.ts has loaded by now.
    if (secret) (await import('@actions/core')).setSecret(secret)
    return { id: out.AccessKey?.AccessKeyId ?? '', secret, attempts: out.$metadata.attempts ?? 1 }
  }

  async deleteAccessKey(UserName: string, AccessKeyId: string): Promise<void> {
    await awsCall('iam:DeleteAccessKey', () =>
      this.client.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId }))
    )
  }

  async deactivateAccessKey(UserName: string, AccessKeyId: string): Promise<void> {
    await awsCall('iam:UpdateAccessKey', () =>
      this.client.send(new UpdateAccessKeyCommand({ UserName, AccessKeyId, Status: 'Inactive' }))
    )
  }

  async listAccessKeys(UserName: string): Promise<AccessKey[]> {
    const out = await awsCall('iam:ListAccessKeys', () =>
      this.client.send(new ListAccessKeysCommand({ UserName }))
    )
    return (out.AccessKeyMetadata ?? []).map(toAccessKey)
  }
}

/** IAM returns policy documents URL-encoded. */
function parseDocument(encoded: string): unknown {
  try {
    return JSON.parse(decodeURIComponent(encoded))
  } catch {
    return JSON.parse(encoded)
  }
}
