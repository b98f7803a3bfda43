// The policies of bootstrap/role.yml as plain IAM documents: the role's permissions
// (RolePolicy, the managed policy s3-credentials-action-role), the users' permissions boundary
// (BoundaryPolicy, s3-credentials-action-boundary), and, for renderTemplate, the role's trust
// policy and the URL of the OIDC provider it creates, with the template's references resolved:
//   ${AWS::Partition}, ${AWS::AccountId}   the given partition and account id
//   a parameter                            the given value, else the parameter's Default
//   Ref BoundaryPolicy / ${BoundaryPolicy} the boundary's ARN (its Ref is its ARN)
//   Ref RolePolicy / ${RolePolicy}         the role policy's ARN
//   Ref GitHubOidcProvider                 the provider's ARN (oidc-provider/ and its URL's host+path)
//   Fn::If on a condition of the template  (Fn::Equals of resolved values)
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

/** `${name}` references of an Fn::Sub string replaced by their values. */
function substitute(text, values, where) {
  return text.replace(/\$\{([^}!]+)\}/g, (_, name) => {
    if (!(name in values)) throw new Error(`${where}: \${${name}} has no value in docs/`)
    return values[name]
  })
}

/** Resolves Ref, Fn::Sub (both forms) and Fn::If against `values` and `conditions`, recursively. */
function resolve(node, context, where) {
  const { values, conditions } = context
  if (Array.isArray(node)) return node.map((item, i) => resolve(item, context, `${where}[${i}]`))
  if (node === null || typeof node !== 'object') return node
  const keys = Object.keys(node)
  if (keys.length === 1 && keys[0] === 'Ref') {
    const name = node.Ref
    if (!(name in values)) throw new Error(`${where}: Ref ${name} has no value in docs/`)
    return values[name]
  }
  if (keys.length === 1 && keys[0] === 'Fn::Sub') {
    const sub = node['Fn::Sub']
    if (typeof sub === 'string') return substitute(sub, values, where)
    const [text, variables = {}] = Array.isArray(sub) ? sub : []
    if (typeof text !== 'string') throw new Error(`${where}: Fn::Sub needs a string`)
    const own = resolve(variables, context, `${where}.Fn::Sub[1]`)
    return substitute(text, { ...values, ...own }, where)
  }
  if (keys.length === 1 && keys[0] === 'Fn::If') {
    const [name, whenTrue, whenFalse] = node['Fn::If']
    if (!(name in conditions)) throw new Error(`${where}: no condition ${name}`)
    return resolve(conditions[name] ? whenTrue : whenFalse, context, `${where}.Fn::If`)
  }
  const intrinsic = keys.find(key => key.startsWith('Fn::'))
  if (intrinsic) throw new Error(`${where}: ${intrinsic} is not supported in a policy document`)
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, resolve(value, context, `${where}.${key}`)])
  )
}

/** The template's conditions, each an Fn::Equals of two resolved values. */
function evaluateConditions(template, values) {
  const conditions = {}
  for (const [name, condition] of Object.entries(template.Conditions ?? {})) {
    const operands = condition?.['Fn::Equals']
    if (!Array.isArray(operands) || operands.length !== 2)
      throw new Error(`bootstrap/role.yml: condition ${name} is not an Fn::Equals of two values`)
    const [a, b] = resolve(operands, { values, conditions }, `bootstrap/role.yml ${name}`)
    conditions[name] = a === b
  }
  return conditions
}

/** Every parameter's given value, else its Default (a parameter without either has no value). */
function parameterValues(template, given) {
  const values = {}
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    if (name in given) values[name] = given[name]
    else if (parameter?.Default !== undefined) values[name] = parameter.Default
  }
  for (const name of Object.keys(given))
    if (!(name in values)) throw new Error(`bootstrap/role.yml has no parameter ${name}`)
  return values
}

/**
 * What bootstrap/role.yml deploys for `parameters` (defaults: each parameter's Default), in
 * `partition` and `accountId` (defaults: the placeholders of docs/): the role policy's and the
 * boundary's documents, the role's trust policy (trustPolicy(): it needs a value for every parameter
 * it names, Repository has no default) and the URL of the OIDC provider the stack creates (undefined when it names an existing one).
 * `templateText` defaults to bootstrap/role.yml.
 */
export function renderTemplate({
  partition = DOCS_VALUES.partition,
  accountId = DOCS_VALUES.accountId,
  parameters = {},
  templateText = readFileSync(TEMPLATE_PATH, 'utf8')
} = {}) {
  const template = parse(templateText)
  const resources = template?.Resources ?? {}
  const values = {
    ...parameterValues(template ?? {}, parameters),
    'AWS::Partition': partition,
    'AWS::AccountId': accountId,
    BoundaryPolicy: managedPolicyArn(resources, 'BoundaryPolicy', partition, accountId),
    RolePolicy: managedPolicyArn(resources, 'RolePolicy', partition, accountId)
  }
  const conditions = evaluateConditions(template ?? {}, values)
  const context = { values, conditions }
  const provider = resources.GitHubOidcProvider
  const providerUrl =
    provider && (provider.Condition === undefined || conditions[provider.Condition])
      ? resolve(provider.Properties.Url, context, 'bootstrap/role.yml GitHubOidcProvider.Url')
      : undefined
  // An IAM OIDC provider's ARN names its URL without the scheme (host and path).
  if (providerUrl !== undefined)
    values.GitHubOidcProvider = `arn:${partition}:iam::${accountId}:oidc-provider/${providerUrl.replace(/^https:\/\//, '')}`
  const documentOf = name =>
    resolve(resources[name].Properties.PolicyDocument, context, `bootstrap/role.yml ${name}`)
  return {
    role: documentOf('RolePolicy'),
    boundary: documentOf('BoundaryPolicy'),
    trustPolicy() {
      const document = resolve(
        resources.Role.Properties.AssumeRolePolicyDocument,
        context,
        'bootstrap/role.yml Role.AssumeRolePolicyDocument'
      )
      // A policy written as a JSON string (for keys that need Fn::Sub) is parsed as IAM parses it.
      return typeof document === 'string' ? JSON.parse(document) : document
    },
    providerUrl
  }
}

/**
 * The role policy's and the boundary's documents, for `partition` and `accountId` (defaults: the
 * placeholders of docs/) and the parameters' defaults. `templateText` defaults to bootstrap/role.yml.
 */
export function rolePolicyDocuments(options = {}) {
  const { role, boundary } = renderTemplate(options)
  return { role, boundary }
}

/** The files scripts/iam-policy.mjs writes (paths relative to the repository), unformatted. */
export const DOCS_FILES = { role: 'docs/iam-policy.json', boundary: 'docs/boundary-policy.json' }
