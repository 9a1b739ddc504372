#!/bin/bash
# CPU by thread of one dosageflow run (decision 0302, session 11): polls /proc/PID/task/*/stat every
# 20 ms until the run exits and prints each thread's last user + system time (10 ms ticks). Thread
# offsets from the PID tell them apart: 0 the main thread, the first few V8's platform threads
# (background compilation, GC helpers), the highest the worker pool; libuv's pool in between.
#   bench/probes/thread-cpu.sh assoc --vcf FILE --pheno P --covar C --threads 2 --out OUT --no-progress
# NODEFLAGS='--no-concurrent-recompilation' moves V8's compilation into the isolates' own threads.
root=$(cd "$(dirname "$0")/../.." && pwd)
node $NODEFLAGS "$root/bin/dosageflow" "$@" 2>/dev/null &
pid=$!
declare -A cpu
while kill -0 $pid 2>/dev/null; do
  for t in /proc/$pid/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    set -- ${s#*) }
    cpu[${t##*/}]=$(( ${12} + ${13} ))
  done
  sleep 0.02
done
for tid in "${!cpu[@]}"; do echo "$((tid - pid)) ${cpu[$tid]}"; done | sort -k2 -n -r | awk '{printf "thread +%-4d %6d ms\n", $1, $2 * 10; s += $2 * 10} END {printf "all         %6d ms\n", s}'
