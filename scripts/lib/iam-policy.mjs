// The policies of bootstrap/role.yml as plain IAM documents: the role's permissions
// (RolePolicy, the managed policy s3-credentials-action-role) and the users' permissions boundary
// (BoundaryPolicy, s3-credentials-action-boundary), with the template's references resolved:
//   ${AWS::Partition}, ${AWS::AccountId}   the given partition and account id
//   Ref BoundaryPolicy / ${BoundaryPolicy} the boundary's ARN (its Ref is its ARN)
//   Ref RolePolicy / ${RolePolicy}         the role policy's ARN
// Anything else (another reference, another intrinsic function) is an error: a document in
// docs/ must be exactly what CloudFormation deploys. Used by scripts/iam-policy.mjs (docs/) and
// __tests__/unit/iam-policy.test.ts.
import { readFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { parse } from 'yaml'

export const TEMPLATE_PATH = fileURLToPath(new URL('../../bootstrap/role.yml', import.meta.url))

/** The placeholders docs/ shows in place of a real partition and account. */
export const DOCS_VALUES = { partition: 'aws', accountId: 'ACCOUNT_ID' }

/** The ARN of a managed policy resource of the template (its Path defaults to /). */
function managedPolicyArn(resources, name, partition, accountId) {
  const resource = resources[name]
  if (resource?.Type !== 'AWS::IAM::ManagedPolicy')
    throw new Error(`bootstrap/role.yml: ${name} is not an AWS::IAM::ManagedPolicy`)
  const { ManagedPolicyName: policyName, Path: path = '/' } = resource.Properties ?? {}
  if (typeof policyName !== 'string' || typeof path !== 'string')
    throw new Error(`bootstrap/role.yml: ${name} needs a literal ManagedPolicyName and Path`)
  return `arn:${partition}:iam::${accountId}:policy${path}${policyName}`
}

/** Resolves Ref and Fn::Sub (string form) against `values`, recursively. */
function resolve(node, values, where) {
  if (Array.isArray(node)) return node.map((item, i) => resolve(item, values, `${where}[${i}]`))
  if (node === null || typeof node !== 'object') return node
  const keys = Object.keys(node)
  if (keys.length === 1 && keys[0] === 'Ref') {
    const name = node.Ref
    if (!(name in values)) throw new Error(`${where}: Ref ${name} has no value in docs/`)
    return values[name]
  }
  if (keys.length === 1 && keys[0] === 'Fn::Sub') {
    if (typeof node['Fn::Sub'] !== 'string')
      throw new Error(`${where}: only the string form of Fn::Sub is supported`)
    return node['Fn::Sub'].replace(/\$\{([^}!]+)\}/g, (_, name) => {
      if (!(name in values)) throw new Error(`${where}: \${${name}} has no value in docs/`)
      return values[name]
    })
  }
  const intrinsic = keys.find(key => key.startsWith('Fn::'))
  if (intrinsic) throw new Error(`${where}: ${intrinsic} is not supported in a policy document`)
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, resolve(value, values, `${where}.${key}`)])
  )
}

/**
 * The role policy's and the boundary's documents, for `partition` and `accountId` (defaults: the
 * placeholders of docs/). `templateText` defaults to bootstrap/role.yml.
 */
export function rolePolicyDocuments({
  partition = DOCS_VALUES.partition,
  accountId = DOCS_VALUES.accountId,
  templateText = readFileSync(TEMPLATE_PATH, 'utf8')
} = {}) {
  const template = parse(templateText)
  const resources = template?.Resources ?? {}
  const values = {
    'AWS::Partition': partition,
    'AWS::AccountId': accountId,
    BoundaryPolicy: managedPolicyArn(resources, 'BoundaryPolicy', partition, accountId),
    RolePolicy: managedPolicyArn(resources, 'RolePolicy', partition, accountId)
  }
  const documentOf = name =>
    resolve(resources[name].Properties.PolicyDocument, values, `bootstrap/role.yml ${name}`)
  return { role: documentOf('RolePolicy'), boundary: documentOf('BoundaryPolicy') }
}

/** The files scripts/iam-policy.mjs writes (paths relative to the repository), unformatted. */
export const DOCS_FILES = { role: 'docs/iam-policy.json', boundary: 'docs/boundary-policy.json' }
