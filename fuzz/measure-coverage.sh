#!/usr/bin/env bash
# What the EVM extra counters add: runs the `sequence` target twice for the same time from the same
# starting corpus and libFuzzer seed, once with EVM edges written into libFuzzer's extra counters and once
# without (POOLGUARD_EVM_COUNTERS=0; the memcmp hook stays on in both), then replays each final corpus to
# count the distinct EVM JUMPI edges it reaches. Prints libFuzzer's final cov/ft/corpus figures and the edges.
#
# Usage: fuzz/measure-coverage.sh [SECONDS=60] [SEEDS_DIR]   (no SEEDS_DIR: start from an empty corpus)
# PARALLEL=1 runs the two modes side by side (one core each); NO_BUILD=1 uses the binary already built.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
SEEDS="${2:-}"
OUT="${OUT:-fuzz/measure}"
[ -n "${NO_BUILD:-}" ] || cargo fuzz build -O -s none sequence >&2
BIN="$PWD/fuzz/target/x86_64-unknown-linux-gnu/release/sequence"

fuzz() {
    local mode="$1" work="$OUT/$1" counters=1
    [ "$mode" = off ] && counters=0
    rm -rf "$work"; mkdir -p "$work/corpus"
    POOLGUARD_EVM_COUNTERS=$counters "$BIN" -seed=7 -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
        "$work/corpus" ${SEEDS:+"$SEEDS"} >"$work/log" 2>&1
}
if [ -n "${PARALLEL:-}" ]; then
    fuzz on & fuzz off & wait
else
    fuzz on; fuzz off
fi

printf '%-9s %8s %8s %8s %12s %10s\n' counters execs cov ft corpus 'EVM edges'
for mode in on off; do
    work="$OUT/$mode"
    done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/log" | tail -1)"
    field() { echo "$done_line" | sed -n "s/.* $1: *\([0-9/a-zA-Z]*\).*/\1/p"; }
    execs="$(echo "$done_line" | sed -n 's/^#\([0-9]*\).*/\1/p')"
    # Replay the final corpus (and the seeds it started from) once, counting distinct EVM edges.
    POOLGUARD_EDGE_LOG=1 "$BIN" -runs=0 "$work/corpus" ${SEEDS:+"$SEEDS"} >"$work/edges.log" 2>&1
    edges="$(sed -n 's/.*: \([0-9]*\) distinct EVM edges/\1/p' "$work/edges.log" | tail -1)"
    printf '%-9s %8s %8s %8s %12s %10s\n' "$mode" "$execs" "$(field cov)" "$(field ft)" "$(field corp)" "${edges:-0}"
done
