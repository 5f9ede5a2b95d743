#!/bin/bash
# Start-up: `rewind run` of a tiny program (guests/build/sample.elf, ~17 k instructions) as whole
# processes, launcher script and JVM included, against QEMU 7.2 (`-bios none -kernel`, `-icount
# shift=0`) on the same ELF, and against the JVM alone (`java -version`, the floor), alternating,
# wall and CPU (user + sys) medians.
#   scripts/bench-startup.sh [RUNS] [REWIND ...]
#   default: 10 runs with this checkout's ./rewind; give other checkouts' launchers to compare
#   versions in the same conditions (e.g. a clone of main before a change: before/after).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-10}"
shift || true
launchers=("$@")
[ ${#launchers[@]} -gt 0 ] || launchers=("$here/rewind")
elf="$here/guests/build/sample.elf"
[ -f "$elf" ] || make -s -C "$here/guests" build/sample.elf
. "$here/scripts/select-jdk.sh"
rewind_select_jdk 17
for r in "${launchers[@]}"; do
  "$r" version > /dev/null # builds the launcher and its class-data caches first if sources changed
  "$r" run "$elf" > /dev/null
done

. "$here/scripts/bench-lib.sh"

names=("qemu-system-riscv64" "java -version")
cmds=("qemu-system-riscv64 -M virt -bios none -kernel $elf -nographic -icount shift=0"
      "$JAVA_HOME/bin/java -version")
for r in "${launchers[@]}"; do
  names+=("$r run")
  cmds+=("$r run $elf")
done
declare -A wall cpu
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# The order rotates from run to run: a process that follows one which freed 128 MiB of guest RAM
# gets memory the kernel has just used, cheap to fill again, where memory it has long had free may
# first have to come back from the hypervisor (bench-convert.sh); a fixed order favoured whichever
# launcher came second by up to 2x.
n=${#cmds[@]}
for r in $(seq "$runs"); do
  for k in $(seq 0 $((n - 1))); do
    i=$(((k + r) % n))
    res=$(bench_measure ${cmds[$i]})
    wall[$i]+="${res% *} "; cpu[$i]+="${res#* } "
  done
done
qw=$(bench_median ${wall[0]}); qc=$(bench_median ${cpu[0]})
for i in "${!cmds[@]}"; do
  w=$(bench_median ${wall[$i]}); c=$(bench_median ${cpu[$i]})
  printf '%-48s %5d ms wall %5d ms cpu   (QEMU/this: wall %.2f cpu %.2f; median of %d)\n' "${names[$i]}" "$w" "$c" \
    "$(echo "$qw / $w" | bc -l)" "$(echo "$qc / $c" | bc -l)" "$runs"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
