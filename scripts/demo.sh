#!/usr/bin/env bash
# npm run demo: the action, for real, on this machine. Prepares the checkout (scripts/setup.sh:
# npm packages with Node 24, the moto virtualenv), rebuilds dist/ if the source is newer, then runs
# scripts/demo.ts on Node 24: it starts moto and the GitHub stand-in, runs the bundled action
# (a dry run, a setup, a re-run and a rotation), prints what each did, and stops the servers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
if [[ ! -f dist/index.js || -n $(find src -newer dist/index.js -print -quit) ]]; then
  echo 'demo: dist/ is older than the source: npm run build'
  mkdir -p .tmp
  npm run --silent build >.tmp/demo-build.log 2>&1 || {
    cat .tmp/demo-build.log
    exit 1
  }
fi
# Type stripping runs the TypeScript of the demo and of __tests__/support directly; parameter
# properties in the support code need the transform mode.
exec node_modules/.bin/node --experimental-transform-types --disable-warning=ExperimentalWarning \
  --import ./scripts/lib/ts-hooks.mjs scripts/demo.ts "$@"
