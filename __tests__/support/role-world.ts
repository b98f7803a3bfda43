/**
 * A world for role mode (issue 16): the account has GitHub's OIDC provider, the token may read the
 * OIDC subject format, and the proxy's authorizer judges what moto does not (iam-authorizer.ts:
 * the web identity token against the account's providers and the role's trust policy, and the
 * assumed session's requests as the role's). Shared by role-mode.test.ts and the switch sweeps.
 */
import { CreateOpenIDConnectProviderCommand } from '@aws-sdk/client-iam'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { Authorizer } from './iam-authorizer.js'
import { ACCOUNT_ID, openWorld, REGION, REPO, TOKEN, USER_PATH, type World } from './world.js'

export const ISSUER = 'https://token.actions.githubusercontent.com'
export const ROLE_NAME = 'octo-org+octo-repo'
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role${USER_PATH}${ROLE_NAME}`
export const ROLE = { credentials: 'role' }

export type Assume = (
  sub: string,
  aud?: string
) => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }>

export type RoleWorld = World & {
  /** AssumeRoleWithWebIdentity of the role through the proxy, with a token of these claims. */
  assume: Assume
  /** The proxy's reset (its record and faults), the authorizers put back. */
  forget: () => void
}

/** The subject of a workflow on the default branch of the repository (or of `prefix`). */
export const main = (prefix = `repo:${REPO}`) => `${prefix}:ref:refs/heads/main`

/**
 * A world whose account has GitHub's provider (unless `provider: false`), where the authorizer
 * judges AssumeRoleWithWebIdentity and (unless `sessions: false`, which saves it a look-up per
 * request of the action) every request.
 */
export async function roleWorld(
  opts: { provider?: boolean; sessions?: boolean } = {}
): Promise<RoleWorld> {
  const w = await openWorld()
  w.github.addToken(TOKEN, {
    kind: 'fine_grained_pat',
    permissions: ['secrets', 'variables', 'environments', 'actions']
  })
  if (opts.provider !== false)
    await w.iam().send(
      new CreateOpenIDConnectProviderCommand({
        Url: ISSUER,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['6938fd4d98bab03faadb97b34396831e3780aea1']
      })
    )
  const authorizer = new Authorizer({
    accountId: ACCOUNT_ID,
    admin: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    motoEndpoint: w.moto.endpoint,
    region: REGION
  })
  const install = () => {
    if (opts.sessions !== false) w.aws.setAuthorizer(authorizer)
    w.aws.setWebIdentityAuthorizer(authorizer)
  }
  install()
  // The proxy's reset forgets its authorizers too: they are put back.
  const forget = () => {
    w.aws.reset()
    install()
  }
  return Object.assign(w, { assume: assumeThrough(w), forget })
}

function assumeThrough(w: World): Assume {
  return async (sub, aud = 'sts.amazonaws.com') => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const token = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: ISSUER, aud, sub })}.c2ln`
    const sts = new STSClient({ endpoint: w.aws.url, region: REGION, maxAttempts: 1 })
    try {
      const out = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'test',
          WebIdentityToken: token
        })
      )
      return {
        accessKeyId: out.Credentials!.AccessKeyId!,
        secretAccessKey: out.Credentials!.SecretAccessKey!,
        sessionToken: out.Credentials!.SessionToken!
      }
    } finally {
      sts.destroy()
    }
  }
}

/** The name of the error a request was refused with, or 'allowed'. */
export async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return (e as { name?: string }).name ?? 'Error'
  }
  return 'allowed'
}
