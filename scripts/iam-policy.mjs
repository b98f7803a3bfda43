// docs/iam-policy.json (the role's permissions) and docs/boundary-policy.json (the users'
// permissions boundary), generated from bootstrap/role.yml so the documents cannot drift from
// the template. ${AWS::Partition} becomes aws, ${AWS::AccountId} ACCOUNT_ID (the placeholder the
// README explains) and the boundary's Ref its ARN; the files are formatted as Prettier would.
// Usage:
//   node scripts/iam-policy.mjs           rewrite the two files
//   node scripts/iam-policy.mjs --check   exit 1 (and say which) when either is out of date
// scripts/policy-lint.sh runs the check; __tests__/unit/iam-policy.test.ts compares the contents.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, URL } from 'node:url'
import * as prettier from 'prettier'
import { DOCS_FILES, rolePolicyDocuments } from './lib/iam-policy.mjs'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const check = process.argv.includes('--check')

const documents = rolePolicyDocuments()
const stale = []
for (const [key, path] of Object.entries(DOCS_FILES)) {
  const file = join(ROOT, path)
  const options = (await prettier.resolveConfig(file)) ?? {}
  const wanted = await prettier.format(JSON.stringify(documents[key]), {
    ...options,
    filepath: file
  })
  let current
  try {
    current = readFileSync(file, 'utf8')
  } catch {
    current = undefined
  }
  if (current === wanted) continue
  if (check) stale.push(path)
  else {
    writeFileSync(file, wanted)
    console.log(`iam-policy: wrote ${path}`)
  }
}
if (stale.length > 0) {
  console.error(
    `iam-policy: ${stale.join(' and ')} differ${stale.length === 1 ? 's' : ''} from bootstrap/role.yml: run node scripts/iam-policy.mjs`
  )
  process.exit(1)
}
if (check)
  console.log(
    'iam-policy: docs/iam-policy.json and docs/boundary-policy.json match bootstrap/role.yml'
  )
