#!/usr/bin/env bash
# Worker scaling of the campaign on the correct suite: one fixed-seed, fixed-duration `poolguard fuzz` per worker
# count, nothing saved, and one table line per run (calls, calls/s, speed-up over the first count, edges, and the
# share of the workers' time spent running sequences rather than at epoch boundaries).
#
#   scripts/scaling.sh [--duration 30s] [--seed 7] [--workers "1 2"] [--processes]
#
# --processes runs N independent 1-worker campaigns side by side instead (seeds S..S+N-1) and adds up their calls:
# the machine's own ceiling for N cores, to tell the campaign's synchronisation from what the cores share.
# The first count is the reference for the speed-up (put 1 first). POOLGUARD names the binary
# (default target/release/poolguard). BENCHMARKS.md records each run with the machine it ran on.
set -euo pipefail
usage='usage: scripts/scaling.sh [--duration 30s] [--seed 7] [--workers "1 2"] [--processes]'
duration=30s
seed=7
workers="1 2"
processes=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --processes) processes=1; shift ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "unknown option $1 ($usage)" >&2; exit 2 ;;
  esac
done
bin="${POOLGUARD:-target/release/poolguard}"
[ -x "$bin" ] || { echo "no poolguard binary at $bin (build it, or set POOLGUARD)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The summary line: "R runs, S steps, C calls in T s: X calls/s, E edges, B behaviours, corpus K, V invariants violated"
# (progress lines start "R runs, C calls"; `|| true` so that a missing line reaches the message below under set -e)
summary() { grep -E '^[0-9]+ runs, [0-9]+ steps, ' "$1" | tail -1 || true; }
field() { sed -E "$2" <<<"$1"; }

printf 'workers\tmode\tcalls\tseconds\tcalls/s\tspeed-up\tedges\tviolated\tbusy %%\n'
base=""
for n in $workers; do
  rm -f "$work"/*.log
  if [ -n "$processes" ]; then
    pids=()
    for i in $(seq 0 $((n - 1))); do
      "$bin" fuzz --duration "$duration" --workers 1 --seed $((seed + i)) --no-save >"$work/$i.log" 2>&1 &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    mode=processes
  else
    "$bin" fuzz --duration "$duration" --workers "$n" --seed "$seed" --no-save >"$work/0.log" 2>&1 || true
    mode=workers
  fi
  calls=0 rate=0 secs=0 edges=0 violated=0 busy="-"
  for log in "$work"/*.log; do
    line="$(summary "$log")"
    if [ -z "$line" ]; then
      echo "workers $n: no summary line in $log; the run printed:" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    calls=$((calls + $(field "$line" 's/.* ([0-9]+) calls in .*/\1/')))
    rate=$((rate + $(field "$line" 's/.*: ([0-9]+) calls\/s.*/\1/')))
    secs="$(field "$line" 's/.* calls in ([0-9.]+)s:.*/\1/')"
    e="$(field "$line" 's/.* ([0-9]+) edges,.*/\1/')"
    [ "$e" -gt "$edges" ] && edges="$e"
    violated=$((violated + $(field "$line" 's/.* ([0-9]+) invariants violated.*/\1/')))
    b="$(grep -oE 'running sequences [0-9.]+%' "$log" | grep -oE '[0-9.]+' || true)"
    [ -n "$b" ] && busy="$b"
  done
  [ -z "$base" ] && base="$rate"
  speedup="$(awk -v r="$rate" -v b="$base" 'BEGIN { printf "%.2f", r / b }')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$mode" "$calls" "$secs" "$rate" "$speedup" "$edges" "$violated" "$busy"
done
