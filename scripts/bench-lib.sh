# Sourced by the whole-process benchmarks (bench-startup.sh, bench-convert.sh).

# Runs "$@" with its output discarded; prints "WALL_MS CPU_MS", CPU being user + sys of the
# whole process tree (bash's own `time`: no GNU time needed). Exits if the command fails.
bench_measure() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" < /dev/null > /dev/null 2>&1; } 2>&1 ) || { echo "failed: $*" >&2; exit 1; }
  echo "$t" | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}'
}

# The median of its arguments (the upper one of an even count).
bench_median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
