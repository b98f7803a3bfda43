/**
 * Naming and format rules of AWS and GitHub, as pure checks. Each returns undefined when the value
 * is valid, else the rule it breaks, phrased to follow "Input 'x': ".
 */
import { RESERVED_TAG_PREFIX } from '../plan/markers.js'

export { RESERVED_TAG_PREFIX }

type Check = (value: string) => string | undefined

const BUCKET_PREFIXES_RESERVED = ['xn--', 'sthree-', 'amzn-s3-demo-']
const BUCKET_SUFFIXES_RESERVED = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3']

export const checkBucketName: Check = name => {
  if (name.length < 3 || name.length > 63) return 'a bucket name has 3 to 63 characters'
  if (!/^[a-z0-9.-]+$/.test(name))
    return 'a bucket name has only lowercase letters, digits, dots and hyphens'
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name))
    return 'a bucket name starts and ends with a letter or digit'
  if (name.includes('..')) return 'a bucket name has no two adjacent dots'
  if (name.includes('.-') || name.includes('-.')) return 'a bucket name has no dot next to a hyphen'
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a bucket name is not formatted as an IP address'
  const prefix = BUCKET_PREFIXES_RESERVED.find(p => name.startsWith(p))
  if (prefix) return `a bucket name does not start with the reserved prefix '${prefix}'`
  const suffix = BUCKET_SUFFIXES_RESERVED.find(s => name.endsWith(s))
  if (suffix) return `a bucket name does not end with the reserved suffix '${suffix}'`
  return undefined
}

export const checkUserName: Check = name => {
  if (name.length < 1 || name.length > 64) return 'an IAM user name has 1 to 64 characters'
  if (!/^[\w+=,.@-]+$/.test(name))
    return 'an IAM user name has only letters, digits and the characters + = , . @ _ -'
  return undefined
}

/** IAM role names follow the same rule as user names (1 to 64 of letters, digits, + = , . @ _ -). */
export const checkRoleName: Check = name => checkUserName(name)?.replace(/user/g, 'role')

/**
 * A branch name, or a tag pattern (`*` and `?` wildcards), as the OIDC subject carries it after
 * `refs/heads/` or `refs/tags/`. Letters, digits and . _ - / + only: nothing IAM would read as a
 * policy variable (`${...}`) or a wildcard in an exact name, nothing git refuses in a ref.
 */
export function checkRefName(name: string, pattern: boolean): string | undefined {
  const what = pattern ? 'a tag pattern' : 'a branch name'
  const allowed = pattern ? /^[\w.\-/+*?]+$/ : /^[\w.\-/+]+$/
  if (!allowed.test(name) || name.length > 255)
    return `${what} is 1 to 255 letters, digits and . _ - / +${pattern ? ' with * and ? wildcards' : ''}`
  if (/^[/.]|[/.]$|\.\.|\/\/|\.lock$/.test(name))
    return `${what} is a valid git ref: no leading or trailing '/' or '.', no '..' or '//', no '.lock' ending`
  return undefined
}

export const checkUserPath: Check = path => {
  if (path.length > 512) return 'an IAM path has at most 512 characters'
  if (path !== '/' && !/^\/[\x21-\x7e]+\/$/.test(path))
    return "an IAM path starts and ends with '/' and has only printable ASCII characters without spaces, e.g. /ci/"
  if (path.includes('//')) return "an IAM path has no empty segment ('//')"
  return undefined
}

/** Every partition's region names: us-east-1, cn-north-1, us-gov-west-1, us-isob-east-1, eusc-de-east-1. */
export const checkRegion: Check = region =>
  /^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-\d{1,2}$/.test(region)
    ? undefined
    : 'a region looks like us-east-1, eu-central-2 or eusc-de-east-1'

/** An AWS account id: twelve digits. */
export const checkAccountId: Check = id =>
  /^\d{12}$/.test(id) ? undefined : 'an AWS account id is twelve digits, e.g. 123456789012'

/** The partition a region belongs to, by its name (as checkRegion accepts them). */
export function regionPartition(region: string): string {
  const prefixes: [RegExp, string][] = [
    [/^cn-/, 'aws-cn'],
    [/^us-gov-/, 'aws-us-gov'],
    [/^us-iso-/, 'aws-iso'],
    [/^us-isob-/, 'aws-iso-b'],
    [/^eu-isoe-/, 'aws-iso-e'],
    [/^us-isof-/, 'aws-iso-f'],
    [/^eusc-/, 'aws-eusc']
  ]
  return prefixes.find(([pattern]) => pattern.test(region))?.[1] ?? 'aws'
}

/**
 * Regions an account must enable before using them (AWS's opt-in regions): STS there answers
 * InvalidClientTokenId until then, which says nothing about the credentials themselves.
 */
export const OPT_IN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1'
])

export const checkPolicyArn: Check = arn =>
  /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/([\x21-\x7e]*\/)?[\w+=,.@-]{1,128}$/.test(arn)
    ? undefined
    : 'a managed policy ARN looks like arn:aws:iam::aws:policy/Name or arn:aws:iam::123456789012:policy/path/Name'

export const checkAccessKeyId: Check = id =>
  /^[A-Z0-9]{16,128}$/.test(id)
    ? undefined
    : 'an access key id has 16 to 128 uppercase letters and digits (e.g. AKIA…)'

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9_]|-(?=[A-Za-z0-9_])){0,38}$/

export const checkLogin: Check = login =>
  GITHUB_LOGIN.test(login)
    ? undefined
    : 'a GitHub account name has 1 to 39 letters, digits or single hyphens, not at either end'

export const checkRepository: Check = full => {
  const [owner, name, ...rest] = full.split('/')
  if (owner === undefined || name === undefined || rest.length > 0)
    return "a repository is written 'owner/name'"
  const ownerProblem = checkLogin(owner)
  if (ownerProblem) return `in '${full}', ${ownerProblem}`
  const nameProblem = checkRepositoryName(name)
  return nameProblem ? `in '${full}', ${nameProblem}` : undefined
}

/** A repository's name within its owner (no owner). */
export const checkRepositoryName: Check = name =>
  /^[A-Za-z0-9._-]{1,100}$/.test(name) && name !== '.' && name !== '..'
    ? undefined
    : "a repository name has 1 to 100 letters, digits, '.', '_' or '-'"

export const checkSecretName: Check = name => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    return `a secret name has only letters, digits and '_' and does not start with a digit ('${name}')`
  if (/^GITHUB_/i.test(name)) return `a secret name does not start with GITHUB_ ('${name}')`
  return undefined
}

/**
 * Characters that end or break a line in a log or an annotation, or that a terminal acts on:
 * C0 and C1 controls, DEL, U+2028 and U+2029 (U+0085 is a C1 control).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const LOG_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u

/** Whether a value could write a line of its own (or a command) into the log. */
export function breaksLog(value: string): boolean {
  return LOG_BREAKING.test(value)
}

export const checkEnvironmentName: Check = name => {
  if (name.length > 255) return 'an environment name has at most 255 characters'
  if (name.trim() !== name || breaksLog(name))
    return 'an environment name has no control characters, no line separators and no surrounding spaces'
  return undefined
}

/** An environment a trust policy names: no `$`, `*` or `?`, which IAM would read as more than a name. */
export const checkTrustedEnvironment: Check = name =>
  name === ''
    ? 'an environment name is given'
    : /[$*?]/.test(name)
      ? "an environment name a trust policy names has no '$', '*' or '?'"
      : checkEnvironmentName(name)

/**
 * A token is printable ASCII without spaces (GitHub's tokens are): one with a line break or a
 * control character would be printed in part by an annotation. The message never quotes it.
 */
export const checkToken: Check = token =>
  /^[\x21-\x7e]+$/.test(token)
    ? undefined
    : 'is printable ASCII without spaces or line breaks (copy the token again; its value is not shown)'

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u

export function checkTag(key: string, value: string): string | undefined {
  if (key.length < 1 || key.length > 128) return `a tag key has 1 to 128 characters ('${key}')`
  if (value.length > 256) return `a tag value has at most 256 characters (key '${key}')`
  // Before quoting the key: a key with a line break must not write a line of its own.
  if (breaksLog(key) || breaksLog(value))
    return 'tags have no control characters and no line separators (U+2028, U+2029, U+0085)'
  if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value))
    return `tags have only letters, digits, spaces and _ . : / = + - @ (key '${key}')`
  if (/^aws:/i.test(key)) return `a tag key does not start with 'aws:' ('${key}')`
  if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX))
    return `a tag key does not start with '${RESERVED_TAG_PREFIX}', which the action reserves ('${key}')`
  return undefined
}

/**
 * IAM and S3 both allow 50 tags; the action keeps six slots for its own tags on the user: the
 * ownership tag, the three markers (rotation, pending, retire) and the records of the run that
 * made each of the two keys a user may have.
 */
export const MAX_USER_TAGS = 44

/**
 * Which GitHub GITHUB_SERVER_URL names: github.com, a GHE.com tenant (`<tenant>.ghe.com`) or a
 * GitHub Enterprise Server, which is any other host (its API at `/api/v3`).
 */
export function githubServerKind(
  serverUrl: string
): 'github.com' | 'ghe.com' | 'enterprise-server' {
  const host = new URL(serverUrl).hostname.toLowerCase()
  if (host === 'github.com') return 'github.com'
  return /^[a-z0-9-]+\.ghe\.com$/.test(host) ? 'ghe.com' : 'enterprise-server'
}
