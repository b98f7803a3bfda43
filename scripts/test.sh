#!/usr/bin/env bash
# The project's test command (npm test, .ci/run): setup, bundle check, then the unit tier, the
# integration tier and the coverage of src/, while the static checks (type check, lint, format
# check, actionlint, zizmor, policy lint) run beside them. Arguments are passed to jest, e.g.
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

# The static checks run in the background, one after another, while the test tiers run (these
# wait on moto, the stand-in and child processes more than on the CPU); their output is printed,
# and their failures counted, after the tiers.
checks_dir=.tmp/checks
rm -rf "$checks_dir"
mkdir -p "$checks_dir"
# background_check NAME COMMAND...: a check whose output and status are kept in $checks_dir.
background_check() {
  local name=$1
  shift
  local file=${name//[^A-Za-z0-9]/-}
  printf '%s\n' "$name" >>"$checks_dir/order"
  if "$@" >"$checks_dir/$file.log" 2>&1; then echo 0; else echo 1; fi >"$checks_dir/$file.rc"
}
run_actionlint() {
  local files=()
  for file in examples/*.yml .github/workflows/*.yml; do
    if [[ -f $file ]]; then files+=("$file"); fi
  done
  ((${#files[@]})) || return 0
  if [[ $(.tools/actionlint -version 2>/dev/null | head -n1) != "$ACTIONLINT_VERSION" ]]; then
    if command -v go >/dev/null; then
      echo "installing actionlint $ACTIONLINT_VERSION into .tools/"
      GOBIN="$PWD/.tools" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" ||
        return 1
    else
      echo "WARNING: go not found: actionlint was not run (install Go to run it)"
      [[ -z ${CI:-} ]] || return 1
      return 0
    fi
  fi
  .tools/actionlint "${files[@]}" && echo "actionlint: ${#files[@]} files OK"
}
step 'static checks (in the background, reported after the tests)'
(
  background_check 'tsc --noEmit' npx tsc --noEmit
  background_check eslint npx eslint .
  background_check prettier npx prettier --check .
  background_check actionlint run_actionlint
  # zizmor (pinned in scripts/requirements-checks.txt), offline, over the workflows, the examples
  # and the workflows the documentation shows; then actionlint over those documentation blocks.
  background_check zizmor bash scripts/zizmor.sh
  # cfn-lint over bootstrap/role.yml, docs/iam-policy.json and docs/boundary-policy.json as
  # generated from it, and parliament over both policies (what it still reports is answered in
  # docs/).
  background_check 'policy lint' bash scripts/policy-lint.sh
) &
checks_pid=$!

jest_base=(node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js)
color=()
if [[ -t 1 ]]; then color=(--colors); fi # keep colors through tee
# run_tier NAME LOG JEST_ARGS...: one jest run, its output kept in LOG for the summary.
run_tier() {
  local name=$1 log=$2
  shift 2
  step "jest: $name"
  "${jest_base[@]}" ${color[@]+"${color[@]}"} "$@" 2>&1 | tee "$log" || failed+=("jest $name")
}
# tier_counts NAME LOG: "NAME: N passed, N failed, N skipped", from jest's own summary line.
tier_counts() {
  local line count passed failed_count skipped
  line=$(sed 's/\x1b\[[0-9;]*m//g' "$2" | grep -E '^Tests:' | tail -n1)
  count() { grep -oE "[0-9]+ $1" <<<"$line" | grep -oE '[0-9]+' || echo 0; }
  passed=$(count passed)
  failed_count=$(count failed)
  skipped=$(count skipped)
  echo "$1: $passed passed, $failed_count failed, $skipped skipped"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed_count))
  total_skipped=$((total_skipped + skipped))
}

coverage_dir=$PWD/.tmp/action-coverage
tiers=()
if (($#)); then
  # Arguments choose the tests (any tier), e.g. bash scripts/test.sh __tests__/unit/plan.test.ts
  run_tier selected .tmp/jest.log "$@"
  tiers=('selected .tmp/jest.log')
else
  # The unit tier first: seconds, no moto, no dist/. Then the integration tier, whose runs of
  # dist/index.js record V8 coverage for the report of src/ below.
  run_tier unit .tmp/jest-unit.log --config jest.unit.config.js
  rm -rf "$coverage_dir"
  export ACTION_COVERAGE_DIR=$coverage_dir
  run_tier integration .tmp/jest-integration.log --config jest.integration.config.js
  unset ACTION_COVERAGE_DIR
  tiers=('unit .tmp/jest-unit.log' 'integration .tmp/jest-integration.log')
  step 'coverage of src/ (the integration tier, through the source map)'
  node scripts/coverage.mjs "$coverage_dir" | tee .tmp/coverage.log || failed+=(coverage)
fi

wait "$checks_pid" || true
while read -r name; do
  file=${name//[^A-Za-z0-9]/-}
  step "$name"
  cat "$checks_dir/$file.log"
  [[ $(cat "$checks_dir/$file.rc" 2>/dev/null) == 0 ]] || failed+=("$name")
done <"$checks_dir/order"

step summary
total_passed=0 total_failed=0 total_skipped=0
for tier in "${tiers[@]}"; do
  read -r name log <<<"$tier"
  sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^(Test Suites|Tests|Time):' | sed "s/^/$name /" || echo "$name: no jest summary"
done
for tier in "${tiers[@]}"; do
  read -r name log <<<"$tier"
  tier_counts "$name" "$log"
done
grep -E '^coverage of src/' .tmp/coverage.log 2>/dev/null || true
# The plain closing line CI reads: "N passed, N failed" (jest's own line is not one it knows).
echo "jest: $total_passed passed, $total_failed failed, $total_skipped skipped"
if [[ -n ${dist_differs:-} ]]; then
  # Here, not only above: CI's log keeps the end of the output.
  echo "dist/ differs after npm run build (node $(node --version), in $PWD):"
  # `|| true`: head closing the pipe early is not a failure (pipefail would end the script).
  git status --porcelain dist/ | head -n 12 || true
  git diff --no-color -U0 -- dist/ ':!*.map' | grep -E '^[-+][^-+]' | cut -c1-160 | head -n 16 || true
fi
for warning in ${warnings[@]+"${warnings[@]}"}; do echo "WARNING: $warning"; done
if ((${#failed[@]})); then
  printf 'FAILED:'
  printf ' [%s]' "${failed[@]}"
  printf '\n'
  exit 1
fi
echo 'all checks passed'
