// Types of scripts/lib/iam-policy.mjs, for the TypeScript tests that import it.
export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action: string[]
  Resource: string | string[]
  Condition?: Record<string, Record<string, string | string[]>>
}
export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: PolicyStatement[]
}
export const TEMPLATE_PATH: string
export const DOCS_VALUES: { partition: string; accountId: string }
export const DOCS_FILES: { role: string; boundary: string }
export function rolePolicyDocuments(options?: {
  partition?: string
  accountId?: string
  parameters?: Record<string, string>
  templateText?: string
}): { role: PolicyDocument; boundary: PolicyDocument }
export interface TrustPolicyDocument {
  Version: '2012-10-17'
  Statement: {
    Sid?: string
    Effect: 'Allow'
    Principal: { Federated: string }
    Action: string
    Condition: Record<string, Record<string, string | string[]>>
  }[]
}
export function renderTemplate(options?: {
  partition?: string
  accountId?: string
  parameters?: Record<string, string>
  templateText?: string
}): {
  role: PolicyDocument
  boundary: PolicyDocument
  trustPolicy(): TrustPolicyDocument
  providerUrl: string | undefined
}
