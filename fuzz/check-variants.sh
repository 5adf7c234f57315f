#!/usr/bin/env bash
# Each broken variant of the catalog (contracts/variants/*.json) is caught by the libFuzzer `sequence` target
# within a budget: for every variant, the target runs on the variant's suite (POOLGUARD_VARIANT) from the seed
# corpus until its own invariant fires (POOLGUARD_INVARIANT: other invariants are checked but do not stop the
# run) or the budget is spent; the crash file is then replayed with `poolguard replay`, which must reproduce a
# violation. Prints one line per variant and exits 1 if any variant was missed.
#
# Usage: fuzz/check-variants.sh [BUDGET_SECONDS=120] [JOBS=2] [VARIANT...]
# NO_BUILD=1 uses the binaries already built.
# Needs: cargo-fuzz (`cargo install cargo-fuzz`), Node.js/npm (the variants are compiled on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET="${1:-120}"
JOBS="${2:-2}"
shift $(( $# < 2 ? $# : 2 ))
OUT="${OUT:-fuzz/variant-runs}"

[ -n "${NO_BUILD:-}" ] || cargo fuzz build -O -s none sequence >&2
[ -n "${NO_BUILD:-}" ] || cargo build --release >&2
export BIN="$PWD/fuzz/target/x86_64-unknown-linux-gnu/release/sequence" POOLGUARD="$PWD/target/release/poolguard"
export BUDGET OUT

if [ $# -gt 0 ]; then variants=("$@"); else
    variants=(); for f in contracts/variants/*.json; do variants+=("$(basename "$f" .json)"); done
fi

run_one() {
    v="$1"
    inv="$(sed -n 's/.*"invariant": *"\([^"]*\)".*/\1/p' "contracts/variants/$v.json" | head -1)"
    work="$OUT/$v"
    rm -rf "$work"; mkdir -p "$work/corpus"
    started=$(date +%s.%N)
    # -seed fixes libFuzzer's choices, so the number of executions to the crash is reproducible.
    POOLGUARD_VARIANT="$v" POOLGUARD_INVARIANT="$inv" "$BIN" -seed=1 -max_total_time="$BUDGET" \
        -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" corpus/fuzz/sequence >"$work/log" 2>&1 || true
    secs=$(echo "$(date +%s.%N) - $started" | bc)
    crash="$(ls "$work"/crash-* 2>/dev/null | head -1 || true)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)"
    if [ -z "$execs" ]; then execs="$(grep -o '^#[0-9]*' "$work/log" | tail -1 | tr -d '#')"; fi
    result=MISSED
    if [ -n "$crash" ] && grep -q "invariant $inv violated" "$work/log"; then
        result=CAUGHT
        if "$POOLGUARD" --contracts "contracts/.poolguard/variants/$v" replay "$crash" >"$work/replay.txt" 2>&1; then
            result="CAUGHT-but-replay-clean"
        elif ! grep -q "violated $inv" "$work/replay.txt"; then
            result="CAUGHT-replay-other"
        fi
    fi
    printf '%-40s %-11s %-8s %7.1fs %8s execs\n' "$v" "$inv" "$result" "$secs" "${execs:-?}"
}
export -f run_one

printf '%-40s %-11s %-8s %8s %8s\n' variant invariant result time executions
printf '%s\n' "${variants[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {}' | sort | tee "$OUT.txt"
missed=$(grep -vc ' CAUGHT ' "$OUT.txt" || true)
echo "budget ${BUDGET}s per variant: $(grep -c ' CAUGHT ' "$OUT.txt") caught, $missed not caught"
[ "$missed" -eq 0 ]
