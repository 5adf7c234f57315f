#!/usr/bin/env bash
# Soak the correct suite: one campaign per seed, fresh corpus each time, until a call budget is spent. Records per seed: calls, runs, edges, violations, peak RSS, and the progress lines (edges over time).
#
#   scripts/soak.sh [--calls 10000000] [--per-seed 10m] [--workers 2] [--first-seed 100] [--out DIR]
#
# Exit 0 when every campaign was clean, 1 when any reported a violation (its findings: DIR/seed-N.findings/),
# 2 on a usage error or a campaign that failed to run. Needs a release build (cargo build --release).
set -euo pipefail
cd "$(dirname "$0")/.."

calls_goal=10000000
per_seed=10m
workers=2
seed=100
out=target/soak
while [ $# -gt 0 ]; do
    case "$1" in
        --calls) calls_goal="$2"; shift 2 ;;
        --per-seed) per_seed="$2"; shift 2 ;;
        --workers) workers="$2"; shift 2 ;;
        --first-seed) seed="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        *) echo "usage: $0 [--calls N] [--per-seed D] [--workers N] [--first-seed N] [--out DIR]" >&2; exit 2 ;;
    esac
done

bin=target/release/poolguard
[ -x "$bin" ] || { echo "$bin missing: run cargo build --release first" >&2; exit 2; }
mkdir -p "$out"
summary="$out/summary.tsv"
printf 'seed\truns\tcalls\tseconds\tcalls_per_s\tedges\tviolations\tpeak_rss_kib\n' >"$summary"

total_calls=0
total_violations=0
start=$(date +%s)
while [ "$total_calls" -lt "$calls_goal" ]; do
    log="$out/seed-$seed"
    status=0
    # A fresh corpus per seed (nothing resumed), findings kept per seed so that a violation can be replayed.
    rm -rf "$log.corpus" "$log.findings"
    /usr/bin/time -f '%M' -o "$log.rss" "$bin" fuzz --seed "$seed" --workers "$workers" --duration "$per_seed" \
        --corpus "$log.corpus" --findings "$log.findings" >"$log.out" 2>"$log.err" || status=$?
    rm -rf "$log.corpus"
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        echo "seed $seed: poolguard exited $status; see $log.err" >&2
        exit 2
    fi
    # "\nR runs, C calls in T: X calls/s, E edges, corpus K, V invariants violated"
    line=$(grep -E '^[0-9]+ runs, [0-9]+ calls in' "$log.out" | tail -1)
    runs=$(sed -E 's/^([0-9]+) runs.*/\1/' <<<"$line")
    calls=$(sed -E 's/^[0-9]+ runs, ([0-9]+) calls.*/\1/' <<<"$line")
    secs=$(sed -E 's/.* calls in ([0-9.]+)(s|m).*/\1 \2/' <<<"$line" | awk '{ print ($2 == "m") ? $1 * 60 : $1 }')
    rate=$(sed -E 's/.*: ([0-9]+) calls\/s.*/\1/' <<<"$line")
    edges=$(sed -E 's/.* ([0-9]+) edges.*/\1/' <<<"$line")
    violations=$(sed -E 's/.* ([0-9]+) invariants violated.*/\1/' <<<"$line")
    rss=$(tail -1 "$log.rss")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$seed" "$runs" "$calls" "$secs" "$rate" "$edges" "$violations" "$rss" \
        | tee -a "$summary"
    total_calls=$((total_calls + calls))
    total_violations=$((total_violations + violations))
    if [ "$violations" -ne 0 ]; then
        grep -E '^[A-Z]+-[0-9]+: ' "$log.out" >&2 || true
    fi
    seed=$((seed + 1))
done
elapsed=$(($(date +%s) - start))
peak=$(tail -n +2 "$summary" | cut -f8 | sort -n | tail -1)
echo "soak: $total_calls calls over $(($(wc -l <"$summary") - 1)) seeds in ${elapsed}s," \
    "$total_violations violations, peak RSS ${peak} KiB; per seed: $summary"
[ "$total_violations" -eq 0 ]
