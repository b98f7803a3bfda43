#!/usr/bin/env bash
# Run by hand, not by the test command: renders the demo's job summaries (npm run demo leaves them
# in .tmp/summaries/*.html) to docs/summaries/*.png with headless Chromium (Debian's chromium
# package: apt-get install chromium). The summary is HTML inside markdown; it is shown in a page
# styled like GitHub's rendered markdown (a few rules of GitHub's stylesheet, written here: the
# project adds no dependency for pictures).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "no $CHROMIUM: apt-get install chromium" >&2; exit 1; }
ls .tmp/summaries/*.html >/dev/null 2>&1 || { echo 'no .tmp/summaries: run npm run demo first' >&2; exit 1; }
mkdir -p docs/summaries .tmp/render
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for summary in .tmp/summaries/*.html; do
  name=$(basename "$summary" .html)
  page=.tmp/render/$name.html
  {
    cat <<'HTML'
<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; padding: 24px 32px; width: 876px; background: #fff; color: #1f2328;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
h2 { font-size: 1.5em; font-weight: 600; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; margin: 0 0 16px; }
h3 { font-size: 1.25em; font-weight: 600; margin: 24px 0 16px; }
p, ul, table, pre, details { margin: 0 0 16px; }
ul { padding-left: 2em; }
a { color: #0969da; text-decoration: none; }
table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { padding: 6px 13px; border: 1px solid #d1d9e0; }
th { font-weight: 600; }
tr:nth-child(2n) { background: #f6f8fa; }
pre { padding: 16px; background: #f6f8fa; border-radius: 6px; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
summary { cursor: pointer; }
</style></head><body class="markdown-body">
HTML
    cat "$summary"
    echo '</body></html>'
  } >"$page"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=940,1400 \
    --screenshot="$PWD/docs/summaries/$name.png" "file://$PWD/$page" 2>/dev/null
  echo "docs/summaries/$name.png"
done
