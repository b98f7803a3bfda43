#!/usr/bin/env bash
# Prepares a checkout for testing, from a fresh clone or an existing one; does nothing (quickly)
# when everything is in place:
#   - node_modules, from package-lock.json (npm ci), including Node 24 at node_modules/.bin/node
#   - .venv, a Python virtualenv with moto (the AWS stand-in), from scripts/requirements-moto.txt,
#     and the checking tools (zizmor, for scripts/zizmor.sh), from scripts/requirements-checks.txt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'setup: %s\n' "$*"; }
die() {
  printf 'setup: ERROR: %s\n' "$*" >&2
  exit 1
}
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

# The two installs share nothing: on a fresh machine the virtualenv is made while npm installs.
npm_dependencies() {
# --- npm dependencies: installed again when package-lock.json changed since the last install (its
# hash is kept in node_modules; file times say nothing in a fresh clone or a git worktree).
lock_hash=$(sha256 package-lock.json)
if [[ ! -f node_modules/.package-lock.json || "$(cat node_modules/.setup-lock-sha256 2>/dev/null)" != "$lock_hash" ]]; then
  # A symbolic link (a git worktree sharing another checkout's packages) is not ours to replace:
  # npm ci would empty the other checkout's node_modules.
  [[ -L node_modules ]] && die 'node_modules is a symbolic link to another checkout: run scripts/setup.sh there, or replace the link with a directory'
  command -v npm >/dev/null || die 'npm not found: install Node.js (any recent version; Node 24 comes from npm)'
  say 'installing npm dependencies (npm ci)'
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.setup-lock-sha256
fi
}

python_tools() {
# --- Python virtualenv (moto, zizmor), rebuilt when the requirements change (the hash of both
# files is kept in a stamp file).
requirements=(scripts/requirements-moto.txt scripts/requirements-checks.txt)
stamp=.venv/.requirements.sha256
wanted=$(for file in "${requirements[@]}"; do printf '%s %s\n' "$(sha256 "$file")" "$file"; done)
if ! .venv/bin/python --version >/dev/null 2>&1; then
  command -v python3 >/dev/null || die 'python3 not found: it is needed for the moto test server'
  say 'creating the Python virtualenv .venv'
  rm -rf .venv
  python3 -m venv .venv
fi
if [[ ! -x .venv/bin/moto_server || ! -x .venv/bin/zizmor || ! -f $stamp || $(<"$stamp") != "$wanted" ]]; then
  say "installing ${requirements[*]} into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "${requirements[@]/#/-r}"
  for tool in moto_server zizmor; do
    [[ -x .venv/bin/$tool ]] || die ".venv/bin/$tool is missing after pip install of ${requirements[*]}"
  done
  echo "$wanted" >"$stamp"
fi
}

# Each runs in a background subshell, where set -e holds (it would not under `||`).
python_tools &
python_pid=$!
npm_dependencies &
npm_pid=$!
failed=0
wait "$npm_pid" || failed=1
wait "$python_pid" || failed=1
((failed == 0)) || die 'an install failed (see above)'

node_version=$(node_modules/.bin/node --version 2>/dev/null || echo missing)
if [[ $node_version != v24.* ]]; then
  die "node_modules/.bin/node is $node_version, expected v24.x (the 'node' devDependency): rm -rf node_modules && bash scripts/setup.sh"
fi
