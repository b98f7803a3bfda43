#!/usr/bin/env bash
# Lints the bootstrap template of the action's role and the policies it carries, offline:
#   1. cfn-lint over bootstrap/role.yml: fails on an error or a warning (informational rules pass);
#   2. node scripts/iam-policy.mjs --check: docs/iam-policy.json and docs/boundary-policy.json are
#      what the template deploys (run node scripts/iam-policy.mjs to regenerate them);
#   3. parliament over docs/iam-policy.json and docs/boundary-policy.json, and over the role policy
#      as the template renders it for a GitHub Enterprise Server and a GHE.com issuer
#      (GitHubOidcIssuerHost), with its community auditors: fails on a finding
#      scripts/parliament-allow.txt does not answer, and on an entry there that matches no finding
#      (docs/parliament-findings.md explains each one).
# cfn-lint and parliament are pinned in scripts/requirements-checks.txt and installed into .venv by
# scripts/setup.sh. Every step runs; the exit status is non-zero if any failed.
#   bash scripts/policy-lint.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'policy-lint: %s\n' "$*"; }

for tool in cfn-lint parliament; do
  [[ -x .venv/bin/$tool ]] || {
    say "ERROR: .venv/bin/$tool is missing: run bash scripts/setup.sh" >&2
    exit 1
  }
done
node=node
[[ -x node_modules/.bin/node ]] && node=node_modules/.bin/node

failed=()

say 'cfn-lint bootstrap/role.yml'
if .venv/bin/cfn-lint --non-zero-exit-code warning -- bootstrap/role.yml; then
  say 'cfn-lint: no errors or warnings'
else
  failed+=(cfn-lint)
fi

say 'node scripts/iam-policy.mjs --check'
"$node" scripts/iam-policy.mjs --check || failed+=(iam-policy)

# The role policy for the other issuers differs only in the provider it may read; linted all the same.
rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
"$node" --input-type=module -e '
  import { writeFileSync } from "node:fs"
  import { renderTemplate } from "./scripts/lib/iam-policy.mjs"
  const [dir, ...hosts] = process.argv.slice(1)
  hosts.forEach((host, i) => {
    const { role } = renderTemplate({ parameters: { GitHubOidcIssuerHost: host } })
    writeFileSync(`${dir}/iam-policy-${i}.json`, JSON.stringify(role, null, 2) + "\n")
  })' "$rendered" github.example.com/_services/token token.actions.octocorp.ghe.com ||
  failed+=(iam-policy-render)

say 'parliament docs/iam-policy.json docs/boundary-policy.json, and the role policy for GHES and GHE.com'
.venv/bin/python scripts/lib/parliament-check.py scripts/parliament-allow.txt \
  docs/iam-policy.json docs/boundary-policy.json "$rendered"/iam-policy-*.json || failed+=(parliament)

if ((${#failed[@]})); then
  say "FAILED: ${failed[*]}"
  exit 1
fi
say 'all checks passed'
