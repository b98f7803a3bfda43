#!/usr/bin/env bash
# npm run bench: how fast the action is. Prepares the checkout (scripts/setup.sh), rebuilds dist/
# if the source is newer, then runs scripts/bench.ts on Node 24 (type stripping, no compile step):
# it starts moto, the recording AWS proxy and the GitHub stand-in, runs the bundled action through
# the scenarios with a fixed latency on every answer, prints the tables and stops the servers.
#   npm run bench                               every scenario (a few minutes)
#   npm run bench -- --quick                    without 1000 repositories
#   npm run bench -- --write docs/benchmark.md  also writes the tables there
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/lib/run-ts.sh" bench scripts/bench.ts "$@"
