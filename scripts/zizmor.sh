#!/usr/bin/env bash
# Audits every workflow the project has or shows with zizmor (GitHub Actions security findings),
# offline, at zizmor's default severity and persona; exits non-zero on any finding:
#   - .github/workflows/*.yml, the project's own CI;
#   - examples/*.yml, the workflows users copy;
#   - the workflows shown in README.md and docs/*.md, extracted to .tmp/readme-yaml/block-N.yml.
# Then actionlint (.tools/actionlint, if scripts/test.sh installed it; else skipped) checks the
# same files are valid workflows. zizmor comes from scripts/requirements-checks.txt (pinned), in
# .venv; run scripts/setup.sh first. Its configuration is .github/zizmor.yml.
#   bash scripts/zizmor.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'zizmor: %s\n' "$*"; }

[[ -x .venv/bin/zizmor ]] || {
  say 'ERROR: .venv/bin/zizmor is missing: run bash scripts/setup.sh' >&2
  exit 1
}

# --- Workflows in the documentation. A ```yaml block is taken when it is a whole workflow: it
# has a top-level `jobs:` line (column 0). A block with `uses:` but no top-level `jobs:` is a
# fragment (a step or a list of steps, as in docs/destinations.md) that zizmor cannot read as a
# workflow: it is listed as skipped, not audited. Blocks with neither are not workflows at all.
# The blocks are numbered in the order found (README.md first), and each one's origin is printed,
# so that a finding in block-N.yml can be traced to its file and line.
out=.tmp/readme-yaml
rm -rf "$out"
mkdir -p "$out"
docs=(README.md)
for file in docs/*.md; do [[ -f $file ]] && docs+=("$file"); done
awk -v out="$out" '
  FNR == 1 { inblock = 0 }
  !inblock && /^```yaml[[:space:]]*$/ { inblock = 1; start = FNR + 1; text = ""; jobs = 0; uses = 0; next }
  inblock && /^```[[:space:]]*$/ {
    inblock = 0
    if (jobs) {
      n++
      path = out "/block-" n ".yml"
      printf "%s", text > path
      close(path)
      printf "zizmor: %s: %s line %d\n", path, FILENAME, start
    } else if (uses) {
      printf "zizmor: skipped (a fragment, no top-level jobs:): %s line %d\n", FILENAME, start
    }
    next
  }
  inblock {
    text = text $0 "\n"
    if ($0 ~ /^jobs:/) jobs = 1
    if ($0 ~ /uses:/) uses = 1
  }
' "${docs[@]}"

files=()
for file in .github/workflows/*.yml examples/*.yml "$out"/block-*.yml; do
  [[ -f $file ]] && files+=("$file")
done
((${#files[@]})) || {
  say 'ERROR: no workflow found' >&2
  exit 1
}

status=0
# --offline: no GitHub API (the online audits need a token and the network); the findings depend
# on the files only. --config: one configuration for every input, the extracted blocks included.
.venv/bin/zizmor --offline --no-progress --color=never --config .github/zizmor.yml "${files[@]}" ||
  status=1

if [[ -x .tools/actionlint ]]; then
  if .tools/actionlint "${files[@]}"; then
    say "actionlint: ${#files[@]} files OK"
  else
    status=1
  fi
else
  say 'actionlint: .tools/actionlint not found, skipped (scripts/test.sh installs it)'
fi

if ((status)); then
  say "FAILED (${#files[@]} workflows)"
else
  say "${#files[@]} workflows, no findings"
fi
exit "$status"
