/** The IAM side: the user, its grants and its access keys. */
import {
  type AccessKeyMetadata,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListUserPolicies,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand
} from '@aws-sdk/client-iam'
import type { Tag } from '../inputs/config.js'
import type { AccessKey, KeyLastUsed, ObservedUser } from '../plan/observed.js'
import { fromAwsTags, toAwsTags, type AwsTag } from './tags.js'
import { allItems, attachedPolicyArns, policyNames } from './pages.js'
import {
  awsCall,
  awsLookup,
  awsRemove,
  errorName,
  isNotFound,
  madeByLostAttempt,
  userNotDeletable
} from './errors.js'

/** Waits while the key quota catches up with a deletion: about 8 s in all. */
const QUOTA_WAITS_MS = [250, 500, 1000, 2000, 4000]

export interface NewAccessKey {
  id: string
  secret: string
  /** The SDK's attempts at CreateAccessKey: more than one, and an earlier one may have made a key. */
  attempts: number
  createdAt: Date
}

const toAccessKey = (k: AccessKeyMetadata): AccessKey => ({
  id: k.AccessKeyId ?? '',
  status: k.Status === 'Active' ? 'Active' : 'Inactive',
  createdAt: k.CreateDate ?? new Date(0)
})

/**
 * How long after this run created a user other IAM calls may still not find it: IAM is eventually
 * consistent, so a call answered NoSuchEntity within this time is tried again.
 */
export const USER_PROPAGATION_MS = 30_000

/**
 * Calls on the users or roles this run created (noteCreated).
 * Where it was created moments ago, NoSuchEntity means that this IAM endpoint does not see it
 * yet: the call is tried again, with growing waits, until USER_PROPAGATION_MS after the creation.
 * For any other entity it is the answer.
 */
export class Propagation {
  /** Users or roles this run created, and when. */
  private readonly created = new Map<string, number>()

  noteCreated(name: string): void {
    this.created.set(name, Date.now())
  }

  async on<T>(name: string, call: () => Promise<T>): Promise<T> {
    const created = this.created.get(name)
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        return await call()
      } catch (e) {
        const late = created === undefined || Date.now() + wait - created > USER_PROPAGATION_MS
        if (late || !isNotFound(e)) throw e
        await new Promise(resolve => setTimeout(resolve, wait))
      }
    }
  }

  /** A change by one request (`action` names it in errors), on(name) as any call. */
  async change(action: string, name: string, call: () => Promise<unknown>): Promise<void> {
    await awsCall(action, () => this.on(name, call))
  }
}

export class Iam {
  private readonly propagation = new Propagation()

  constructor(
    private readonly client: IAMClient,
    private readonly maskSecret: (secret: string) => void
  ) {}

  /**
   * Reads the user with its tags, keys and grants at once; undefined when it does not exist. The
   * inline policy `expectedPolicy` (the action's own) is read in the same round trip, before its
   * name is listed: a second one is needed only for other inline policies.
   */
  async findUser(userName: string, expectedPolicy?: string): Promise<ObservedUser | undefined> {
    const UserName = userName
    const paging = { client: this.client }
    const [user, keys, inlineNames, attached, expected, groups] = await Promise.all([
      awsLookup('iam:GetUser', () => this.client.send(new GetUserCommand({ UserName }))),
      awsLookup('iam:ListAccessKeys', () =>
        this.client.send(new ListAccessKeysCommand({ UserName }))
      ),
      awsLookup('iam:ListUserPolicies', () =>
        policyNames(paginateListUserPolicies(paging, { UserName }))
      ),
      awsLookup('iam:ListAttachedUserPolicies', () =>
        attachedPolicyArns(paginateListAttachedUserPolicies(paging, { UserName }))
      ),
      expectedPolicy === undefined
        ? undefined
        : awsLookup('iam:GetUserPolicy', () =>
            this.client.send(new GetUserPolicyCommand({ UserName, PolicyName: expectedPolicy }))
          ),
      awsLookup('iam:ListGroupsForUser', () =>
        allItems(paginateListGroupsForUser(paging, { UserName }), page => page.Groups)
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
    return {
      ...identityFacts(user.User),
      inlinePolicies,
      managedPolicyArns: attached ?? [],
      keys: (keys?.AccessKeyMetadata ?? []).map(toAccessKey),
      groups: (groups ?? []).map(g => g.GroupName ?? '')
    }
  }

  /** Whether the managed policy exists (GetPolicy; NoSuchEntity means it does not). */
  async policyExists(PolicyArn: string): Promise<boolean> {
    const found = await awsLookup('iam:GetPolicy', () =>
      this.client.send(new GetPolicyCommand({ PolicyArn }))
    )
    return found !== undefined
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
    const out = await awsCall('iam:CreateUser', async () => {
      try {
        return await this.client.send(
          new CreateUserCommand({
            UserName: opts.userName,
            Path: opts.path,
            ...(opts.tags.length > 0 ? { Tags: toAwsTags(opts.tags) } : {}),
            ...(opts.permissionsBoundary ? { PermissionsBoundary: opts.permissionsBoundary } : {})
          })
        )
      } catch (e) {
        // Made, with its tags and boundary (one request), by the attempt whose answer was lost.
        if (madeByLostAttempt(e, 'EntityAlreadyExistsException', 'EntityAlreadyExists'))
          return this.client.send(new GetUserCommand({ UserName: opts.userName }))
        throw e
      }
    })
    this.propagation.noteCreated(opts.userName)
    return out.User?.Arn ?? ''
  }

  async tagUser(UserName: string, tags: Tag[]): Promise<void> {
    await this.propagation.change('iam:TagUser', UserName, () =>
      this.client.send(new TagUserCommand({ UserName, Tags: toAwsTags(tags) }))
    )
  }

  async untagUser(UserName: string, keys: string[]): Promise<void> {
    await this.propagation.change('iam:UntagUser', UserName, () =>
      this.client.send(new UntagUserCommand({ UserName, TagKeys: keys }))
    )
  }

  async setPermissionsBoundary(UserName: string, PermissionsBoundary: string): Promise<void> {
    await this.propagation.change('iam:PutUserPermissionsBoundary', UserName, () =>
      this.client.send(new PutUserPermissionsBoundaryCommand({ UserName, PermissionsBoundary }))
    )
  }

  async putInlinePolicy(UserName: string, PolicyName: string, document: unknown): Promise<void> {
    const PolicyDocument = JSON.stringify(document)
    await this.propagation.change('iam:PutUserPolicy', UserName, () =>
      this.client.send(new PutUserPolicyCommand({ UserName, PolicyName, PolicyDocument }))
    )
  }

  async deleteInlinePolicy(UserName: string, PolicyName: string): Promise<void> {
    await awsRemove('iam:DeleteUserPolicy', () =>
      this.client.send(new DeleteUserPolicyCommand({ UserName, PolicyName }))
    )
  }

  async attachPolicy(UserName: string, PolicyArn: string): Promise<void> {
    await this.propagation.change('iam:AttachUserPolicy', UserName, () =>
      this.client.send(new AttachUserPolicyCommand({ UserName, PolicyArn }))
    )
  }

  async detachPolicy(UserName: string, PolicyArn: string): Promise<void> {
    await awsRemove('iam:DetachUserPolicy', () =>
      this.client.send(new DetachUserPolicyCommand({ UserName, PolicyArn }))
    )
  }

  /** Creates a key and masks its secret before anything else can see it. */
  /**
   * `afterDeletion`: this run has just deleted a key of the user, and IAM's per-user key quota may
   * not have caught up yet (LimitExceeded, terraform-provider-aws#39693): tried again for a while.
   */
  async createAccessKey(UserName: string, afterDeletion = false): Promise<NewAccessKey> {
    const out = await awsCall('iam:CreateAccessKey', () =>
      this.propagation.on(UserName, async () => {
        for (const wait of afterDeletion ? QUOTA_WAITS_MS : []) {
          try {
            return await this.client.send(new CreateAccessKeyCommand({ UserName }))
          } catch (e) {
            if (!/^LimitExceeded/.test(errorName(e))) throw e
            await new Promise(resolve => setTimeout(resolve, wait))
          }
        }
        return this.client.send(new CreateAccessKeyCommand({ UserName }))
      })
    )
    const secret = out.AccessKey?.SecretAccessKey ?? ''
    if (secret) this.maskSecret(secret)
    return {
      id: out.AccessKey?.AccessKeyId ?? '',
      secret,
      attempts: out.$metadata.attempts ?? 1,
      createdAt: out.AccessKey?.CreateDate ?? new Date()
    }
  }

  async deleteAccessKey(UserName: string, AccessKeyId: string): Promise<void> {
    await awsRemove('iam:DeleteAccessKey', () =>
      this.client.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId }))
    )
  }

  /**
   * Deletes the user (its tags go with it); a user already gone counts as deleted. IAM refuses
   * (DeleteConflict) while anything is attached: its message names what.
   */
  async deleteUser(UserName: string): Promise<void> {
    await awsRemove('iam:DeleteUser', async () => {
      try {
        return await this.client.send(new DeleteUserCommand({ UserName }))
      } catch (e) {
        if (/^DeleteConflict/.test(errorName(e))) throw userNotDeletable(UserName, e)
        throw e
      }
    })
  }

  async deactivateAccessKey(UserName: string, AccessKeyId: string): Promise<void> {
    await awsCall('iam:UpdateAccessKey', () =>
      this.client.send(new UpdateAccessKeyCommand({ UserName, AccessKeyId, Status: 'Inactive' }))
    )
  }

  /**
   * When, where and by which service `AccessKeyId` was last used (IAM records it with a delay and
   * rounds the time); undefined when the key is gone or belongs to another user.
   */
  async keyLastUsed(UserName: string, AccessKeyId: string): Promise<KeyLastUsed | undefined> {
    const out = await awsLookup('iam:GetAccessKeyLastUsed', () =>
      this.client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId }))
    )
    if (!out || out.UserName !== UserName) return undefined
    const used = out.AccessKeyLastUsed
    const known = (v: string | undefined) => (v && v !== 'N/A' ? v : undefined)
    const service = known(used?.ServiceName)
    const region = known(used?.Region)
    return {
      ...(used?.LastUsedDate ? { at: used.LastUsedDate } : {}),
      ...(service ? { service } : {}),
      ...(region ? { region } : {})
    }
  }

  async listAccessKeys(UserName: string): Promise<AccessKey[]> {
    const out = await awsCall('iam:ListAccessKeys', () =>
      this.propagation.on(UserName, () => this.client.send(new ListAccessKeysCommand({ UserName })))
    )
    return (out.AccessKeyMetadata ?? []).map(toAccessKey)
  }
}

/** What GetUser and GetRole answer alike: the ARN, the path, the tags and the boundary. */
export function identityFacts(entity: {
  Arn?: string
  Path?: string
  Tags?: AwsTag[]
  PermissionsBoundary?: { PermissionsBoundaryArn?: string }
}): { arn: string; path: string; tags: Tag[]; permissionsBoundaryArn?: string } {
  const boundary = entity.PermissionsBoundary?.PermissionsBoundaryArn
  return {
    arn: entity.Arn ?? '',
    path: entity.Path ?? '/',
    tags: fromAwsTags(entity.Tags),
    ...(boundary ? { permissionsBoundaryArn: boundary } : {})
  }
}

/** IAM returns policy documents URL-encoded. */
/** IAM returns policy documents URL-encoded (moto: sometimes not). */
export function parseDocument(encoded: string): unknown {
  try {
    return JSON.parse(decodeURIComponent(encoded))
  } catch {
    return JSON.parse(encoded)
  }
}
