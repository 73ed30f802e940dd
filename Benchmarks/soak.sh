#!/usr/bin/env bash
# On-demand crash-safety soak: the scenario of ChaosTests — the real `innominatus reconcile`
# over a platform repository of 50 apps, killed with SIGKILL at seeded random moments, then run until it
# converges — with TRIALS kill trials (default 30; CI runs 5). Every trial is audited (git fsck on the
# remote, notes and refs/innominatus/* parse, no step process left, no recorded success re-run, no lock
# stuck); the test prints the seed and a line per trial. Replay a run with INNOMINATUS_CHAOS_SEED=<seed>.
#
#   bash Benchmarks/soak.sh [TRIALS]
set -euo pipefail
trials="${1:-30}"
case "$trials" in ''|*[!0-9]*) echo "usage: $0 [TRIALS]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
swift build --build-tests
INNOMINATUS_CHAOS_TRIALS="$trials" swift test --skip-build \
    --filter 'ChaosTests/killNineAtRandomMomentsLosesNothingAndConverges'
