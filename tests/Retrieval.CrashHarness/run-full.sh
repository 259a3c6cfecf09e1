#!/usr/bin/env bash
# The documented full crash-durability run: TOTAL kill/restart cycles of tests/Retrieval.CrashHarness, in batches of
# BATCH cycles (each batch a fresh data directory and seed FIRST_SEED + batch number, ending with its own drain and
# final check). Progress is kept in RESULTS: running the same command again continues after the last finished batch.
#
#   tests/Retrieval.CrashHarness/run-full.sh [TOTAL=1000] [BATCH=100] [RESULTS=.artifacts/crash-full]
#
# HARNESS may name a built Retrieval.CrashHarness.dll; otherwise the project is built (Release) first.
# Exits 1 as soon as a batch reports a loss or an invariant violation (its store is kept, see the batch log).
set -euo pipefail
cd "$(dirname "$0")/../.."
total=${1:-1000}
batch=${2:-100}
results=${3:-.artifacts/crash-full}
first_seed=${FIRST_SEED:-1000}
mkdir -p "$results"

if [ -z "${HARNESS:-}" ]; then
  dotnet build tests/Retrieval.CrashHarness -c Release -v q -o "$results/bin" >/dev/null
  HARNESS="$results/bin/Retrieval.CrashHarness.dll"
fi

done_cycles() { find "$results" -maxdepth 1 -name 'batch-*.passed' -exec cat {} + | awk '{s+=$1} END {print s+0}'; }
done_batches() { find "$results" -maxdepth 1 -name 'batch-*.passed' | wc -l; }

while [ "$(done_cycles)" -lt "$total" ]; do
  n=$(done_batches)
  cycles=$(( total - $(done_cycles) < batch ? total - $(done_cycles) : batch ))
  seed=$(( first_seed + n ))
  log=$(printf '%s/batch-%03d.log' "$results" "$n")
  echo "$(date -u +%FT%TZ) batch $n: $cycles cycles, seed $seed -> $log"
  status=0
  dotnet "$HARNESS" --cycles "$cycles" --seed "$seed" "${@:4}" >"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    echo "batch $n FAILED (exit $status):"
    tail -n 30 "$log"
    exit 1
  fi
  echo "$cycles" >"$(printf '%s/batch-%03d.passed' "$results" "$n")"
  tail -n 4 "$log"
done
echo "$(date -u +%FT%TZ) $(done_cycles) cycles passed in $(done_batches) batches"
