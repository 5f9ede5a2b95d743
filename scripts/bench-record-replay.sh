#!/bin/bash
# `rewind record` and `rewind replay` against `rewind run` of the same program, as whole processes
# (launcher and JVM included), rotating the order from run to run, wall and CPU (user + sys)
# medians, and the ratios run/record and run/replay (1.0: recording or replaying costs nothing).
#   scripts/bench-record-replay.sh [RUNS] [ELF ...] [-- REWIND ...]
#   default: 7 runs of guests/build/sample.elf (~17 k instructions) and compute-1g.elf (1e9)
#   with this checkout's ./rewind; after --, other checkouts' launchers (before/after a change).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-7}"
shift || true
elfs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do elfs+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
launchers=("$@")
[ ${#launchers[@]} -gt 0 ] || launchers=("$here/rewind")
[ ${#elfs[@]} -gt 0 ] || elfs=("$here/guests/build/sample.elf" "$here/guests/build/compute-1g.elf")
for e in "${elfs[@]}"; do
  [ -f "$e" ] || make -s -C "$here/guests" "build/$(basename "$e")"
done
work=$(mktemp -d /dev/shm/rewind-bench-rr.XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$here/scripts/bench-lib.sh"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for e in "${elfs[@]}"; do
  names=() cmds=()
  for li in "${!launchers[@]}"; do
    r=${launchers[$li]}
    "$r" version > /dev/null # builds the launcher and its class-data caches first if sources changed
    "$r" record "$e" --rrfile "$work/$li.rrlog" > /dev/null 2>&1 # the recording each replay replays
    names+=("$r run" "$r record" "$r replay")
    cmds+=("$r run $e" "$r record $e --rrfile $work/$li-again.rrlog" "$r replay $work/$li.rrlog")
  done
  declare -A wall=() cpu=()
  n=${#cmds[@]}
  for k in $(seq "$runs"); do
    for j in $(seq 0 $((n - 1))); do
      i=$(((j + k) % n))
      res=$(bench_measure ${cmds[$i]})
      wall[$i]+="${res% *} "; cpu[$i]+="${res#* } "
    done
  done
  echo "$(basename "$e"):"
  for i in "${!cmds[@]}"; do
    w=$(bench_median ${wall[$i]}); c=$(bench_median ${cpu[$i]})
    base=$((i - i % 3)) # this launcher's run
    printf '  %-44s %5d ms wall %5d ms cpu   (run/this: wall %.2f cpu %.2f; median of %d)\n' "${names[$i]}" "$w" "$c" \
      "$(echo "$(bench_median ${wall[$base]}) / $w" | bc -l)" "$(echo "$(bench_median ${cpu[$base]}) / $c" | bc -l)" "$runs"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
