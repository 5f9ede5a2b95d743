#!/usr/bin/env bash
# Boot-to-shell time of Debian 13's riscv64 Linux (scripts/boot-linux.sh: OpenSBI fw_dynamic, the
# kernel, a busybox initramfs, 512 MiB) on 1, 2 and 4 harts: Rewind ('rewind run --smp N') against
# QEMU 7.2 with -icount shift=0 (one hart only: with more, QEMU 7.2 hangs after OpenSBI) and without
# icount. Whole processes (JVM start included), alternating, medians. A run ends when the busybox
# prompt shows after /init's line; wall time, and CPU time (user + system) of the process and its
# children up to then. The load average is printed beside every run: the machine may be shared.
#   scripts/bench-linux-boot.sh [RUNS] [HARTS ...]     (default: 5 runs of 1 2 4 harts)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
shift || true
harts=("$@")
[ ${#harts[@]} -gt 0 ] || harts=(1 2 4)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/rewind" version > /dev/null # builds the launcher first if sources changed
tick=$(getconf CLK_TCK)

# CPU ms of a process and its descendants (their own time and that of children they waited for).
tree_cpu() {
  local t c
  t=$(awk -v t="$tick" '{print int(($14 + $15 + $16 + $17) * 1000 / t)}' "/proc/$1/stat" 2> /dev/null || echo 0)
  for c in $(pgrep -P "$1" || true); do t=$((t + $(tree_cpu "$c"))); done
  echo "$t"
}
tree_kill() {
  local c
  for c in $(pgrep -P "$1" || true); do tree_kill "$c"; done
  kill "$1" 2> /dev/null || true
}

# Runs "$@" (stdin open, so the shell waits) until the prompt after /init's line; prints "wall_ms cpu_ms".
mkfifo "$work/stdin"
exec 7<> "$work/stdin"
to_shell() {
  local out="$work/console" s pid e cpu
  : > "$out"
  s=$(date +%s%N)
  "$@" < "$work/stdin" > "$out" 2>&1 &
  pid=$!
  # busybox's prompt ('~ # ', then a cursor position query) after /init's line
  until sed -n '/init: busybox shell/,$p' "$out" | grep -aq '# '; do
    kill -0 "$pid" 2> /dev/null || { echo "exited before the shell: $*" >&2; tail -n 20 "$out" >&2; exit 1; }
    sleep 0.05
  done
  e=$(date +%s%N)
  cpu=$(tree_cpu "$pid")
  tree_kill "$pid"
  wait "$pid" 2> /dev/null || true
  echo "$(((e - s) / 1000000)) $cpu"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A wall cpu
forms() { # the systems measured for N harts
  echo rewind
  [ "$1" = 1 ] && echo qemu-icount
  echo qemu-no-icount
}
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
  for n in "${harts[@]}"; do
    for f in $(forms "$n"); do
      case "$f" in
        rewind) cmd=("$here/scripts/boot-linux.sh" --smp "$n") ;;
        qemu-icount) cmd=("$here/scripts/boot-linux.sh" --qemu --smp "$n") ;;
        qemu-no-icount) cmd=("$here/scripts/boot-linux.sh" --qemu-no-icount --smp "$n") ;;
      esac
      res=$(to_shell "${cmd[@]}")
      wall[$f-$n]="${wall[$f-$n]:-} ${res% *}"; cpu[$f-$n]="${cpu[$f-$n]:-} ${res#* }"
      printf 'run %d: %-15s %d harts: %7d ms wall %7d ms cpu  (load %s)\n' "$i" "$f" "$n" "${res% *}" "${res#* }" \
        "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
echo "medians of $runs (ms):"
for n in "${harts[@]}"; do
  for f in $(forms "$n"); do
    # shellcheck disable=SC2086
    printf '  %-15s %d harts: wall %7d  cpu %7d\n' "$f" "$n" "$(median ${wall[$f-$n]})" "$(median ${cpu[$f-$n]})"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
