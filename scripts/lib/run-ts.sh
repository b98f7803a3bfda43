#!/usr/bin/env bash
# Runs one of this repository's TypeScript scripts on Node 24, as `npm run demo` and `npm run bench`
# do: prepares the checkout (scripts/setup.sh), rebuilds dist/ when the source is newer, then runs
# the script with type stripping (transform mode, for the parameter properties of the test support
# code) and scripts/lib/ts-hooks.mjs, which resolves its `./x.js` imports to `x.ts`.
#   bash scripts/lib/run-ts.sh NAME SCRIPT [ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
name=$1
script=$2
shift 2

bash scripts/setup.sh
if [[ ! -f dist/index.js || -n $(find src -newer dist/index.js -print -quit) ]]; then
  echo "$name: dist/ is older than the source: npm run build"
  mkdir -p .tmp
  npm run --silent build >".tmp/$name-build.log" 2>&1 || {
    cat ".tmp/$name-build.log"
    exit 1
  }
fi
exec node_modules/.bin/node --experimental-transform-types --disable-warning=ExperimentalWarning \
  --import ./scripts/lib/ts-hooks.mjs "$script" "$@"
