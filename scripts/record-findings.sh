#!/usr/bin/env bash
# Records the findings of fixed-seed, fixed-run campaigns (the suite and a spread of broken variants) in one
# normalised file, so that a refactoring that must not change behaviour can be checked byte for byte:
#
#   scripts/record-findings.sh > /tmp/after.txt && diff corpus/determinism/findings.txt /tmp/after.txt
#
# Only `first_seen.elapsed_ms` (wall-clock time) is removed. One worker, a fresh corpus, --runs: the campaign is
# a pure function of the seed. Usage: scripts/record-findings.sh [--seed N] [--runs N]
#
# The recorded file is re-recorded (and committed with a note) whenever generation changes on purpose; the
# action-model redesign (issue 17) was checked byte for byte against the file recorded before it.
set -euo pipefail
seed=5
runs=300
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bin="${POOLGUARD:-target/release/poolguard}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for variant in "" acct-001-gross-rewards wd-001-finalize-twice fee-002-double-fee access-002-self-grant \
  oracle-002-replay value-003-cheap-withdrawal exit-001-no-exit-on-breach; do
  name="${variant:-suite}"
  args=(fuzz --seed "$seed" --runs "$runs" --workers 1 --corpus "$work/$name/corpus" --findings "$work/$name/findings")
  [ -n "$variant" ] && args+=(--variant "$variant")
  "$bin" "${args[@]}" >/dev/null 2>"$work/$name.log" || true
  echo "=== $name"
  for f in $(ls "$work/$name/findings" 2>/dev/null | sort); do
    echo "--- $f"
    sed -E '/"elapsed_ms"/d' "$work/$name/findings/$f"
    echo
  done
done
