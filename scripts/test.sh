#!/usr/bin/env bash
# The project's test command (npm test, .ci/run): setup, type check, lint, format check,
# actionlint, bundle check, then jest. Arguments are passed to jest, e.g.
#   bash scripts/test.sh __tests__/smoke
# Every step runs even if an earlier one failed; the exit status is non-zero if any failed.
# A dist/ that differs from the source fails when CI is set, and is only a warning otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ACTIONLINT_VERSION=v1.7.7
failed=()
warnings=()

step() {
  printf '\n==> %s   [%ss]\n' "$*" "$SECONDS"
}
# check NAME COMMAND...: runs a step, remembering its failure instead of stopping.
check() {
  local name=$1
  shift
  step "$name"
  "$@" || failed+=("$name")
}
# strict_or_warn NAME MESSAGE: a failure on CI, a warning for a developer.
strict_or_warn() {
  if [[ -n ${CI:-} ]]; then
    printf 'ERROR: %s\n' "$2" >&2
    failed+=("$1")
  else
    printf 'WARNING: %s\n' "$2" >&2
    warnings+=("$2")
  fi
}

step setup
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH" # Node 24 for everything below

check 'tsc --noEmit' npx tsc --noEmit
check eslint npx eslint .
check prettier npx prettier --check .

actionlint_files=()
for file in examples/*.yml .github/workflows/*.yml; do
  if [[ -f $file ]]; then actionlint_files+=("$file"); fi
done
if ((${#actionlint_files[@]})); then
  step actionlint
  if [[ $(.tools/actionlint -version 2>/dev/null | head -n1) != "$ACTIONLINT_VERSION" ]]; then
    if command -v go >/dev/null; then
      echo "installing actionlint $ACTIONLINT_VERSION into .tools/"
      GOBIN="$PWD/.tools" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" ||
        failed+=('actionlint install')
    else
      strict_or_warn actionlint "go not found: actionlint was not run (install Go to run it)"
    fi
  fi
  if [[ -x .tools/actionlint ]]; then
    .tools/actionlint "${actionlint_files[@]}" && echo "actionlint: ${#actionlint_files[@]} files OK" ||
      failed+=(actionlint)
  fi
fi

step 'build dist/'
mkdir -p .tmp
if npm run --silent build >.tmp/build.log 2>&1; then
  if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo 'not a git checkout: cannot compare dist/ with the committed bundle'
  elif [[ -n $(git status --porcelain dist/) ]]; then
    git status --porcelain dist/
    dist_differs=1
    strict_or_warn dist 'dist/ differs from the committed bundle: run npm run build and commit dist/'
  else
    echo 'dist/ matches the committed bundle'
  fi
else
  cat .tmp/build.log
  failed+=('npm run build')
fi

step jest
jest_log=.tmp/jest.log
jest_args=("$@")
if [[ -t 1 ]]; then jest_args=(--colors "$@"); fi # keep colors through tee
node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js ${jest_args[@]+"${jest_args[@]}"} 2>&1 |
  tee "$jest_log" || failed+=(jest)

step summary
sed 's/\x1b\[[0-9;]*m//g' "$jest_log" | grep -E '^(Test Suites|Tests|Time):' || echo 'jest: no summary'
# The plain closing line CI reads: "N passed, N failed" (jest's own line is not one it knows).
tests_line=$(sed 's/\x1b\[[0-9;]*m//g' "$jest_log" | grep -E '^Tests:' | tail -n1)
passed=$(grep -oE '[0-9]+ passed' <<<"$tests_line" | grep -oE '[0-9]+' || echo 0)
failed_count=$(grep -oE '[0-9]+ failed' <<<"$tests_line" | grep -oE '[0-9]+' || echo 0)
skipped=$(grep -oE '[0-9]+ skipped' <<<"$tests_line" | grep -oE '[0-9]+' || echo 0)
echo "jest: $passed passed, $failed_count failed, $skipped skipped"
if [[ -n ${dist_differs:-} ]]; then
  # Here, not only above: CI's log keeps the end of the output.
  echo "dist/ differs after npm run build (node $(node --version), in $PWD):"
  git status --porcelain dist/ | head -n 12
  git diff --no-color -U0 -- dist/ ':!*.map' | grep -E '^[-+][^-+]' | cut -c1-160 | head -n 16
fi
for warning in ${warnings[@]+"${warnings[@]}"}; do echo "WARNING: $warning"; done
if ((${#failed[@]})); then
  printf 'FAILED:'
  printf ' [%s]' "${failed[@]}"
  printf '\n'
  exit 1
fi
echo 'all checks passed'
