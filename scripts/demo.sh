#!/usr/bin/env bash
# npm run demo: the action, for real, on this machine. Prepares the checkout (scripts/setup.sh:
# npm packages with Node 24, the moto virtualenv), rebuilds dist/ if the source is newer, then runs
# scripts/demo.ts on Node 24: it starts moto and the GitHub stand-in, runs the bundled action
# (a dry run, a setup, a re-run and a rotation), prints what each did, and stops the servers.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/lib/run-ts.sh" demo scripts/demo.ts "$@"
