#!/usr/bin/env bash
# Boot-to-prompt time of Debian's M-mode U-Boot (qemu-riscv64/uboot.elf, autoboot countdown
# included): Rewind (`./rewind run uboot.elf`) against QEMU 7.2 (`-bios none -kernel uboot.elf
# -icount shift=0`), as whole processes (JVM start included), alternating, medians. A run ends
# when '=> ' appears on the guest's console; wall time and the process's CPU time up to then.
#   scripts/bench-uboot-boot.sh [RUNS] [UBOOT_ELF] [REWIND]
#   default: 5 runs of /usr/lib/u-boot/qemu-riscv64/uboot.elf with this checkout's ./rewind
#   (REWIND: another checkout's launcher, to compare two versions in the same conditions)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
uboot="${2:-/usr/lib/u-boot/qemu-riscv64/uboot.elf}"
rewind="${3:-$here/rewind}"
[ -f "$uboot" ] || { echo "no $uboot: apt-get install u-boot-qemu" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$rewind" version > /dev/null # builds the launcher first if sources changed
tick=$(getconf CLK_TCK)

# Runs "$@" with the console in a file until '=> ' shows; prints "wall_ms cpu_ms".
to_prompt() {
  local out="$work/console" s pid e cpu
  : > "$out"
  s=$(date +%s%N)
  "$@" < /dev/null > "$out" 2>&1 &
  pid=$!
  until grep -q '=> ' "$out"; do
    kill -0 "$pid" 2> /dev/null || { echo "exited before the prompt: $*" >&2; cat "$out" >&2; exit 1; }
    sleep 0.01
  done
  e=$(date +%s%N)
  # utime + stime (fields 14, 15 of /proc/PID/stat; the command name in field 2 has no spaces here)
  cpu=$(awk -v t="$tick" '{print int(($14 + $15) * 1000 / t)}' "/proc/$pid/stat")
  kill "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  echo "$(((e - s) / 1000000)) $cpu"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

qw=(); qc=(); rw=(); rc=()
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
  res=$(to_prompt qemu-system-riscv64 -M virt -bios none -kernel "$uboot" -icount shift=0 \
      -display none -monitor none -serial stdio)
  qw+=("${res% *}"); qc+=("${res#* }")
  res=$(to_prompt "$rewind" run "$uboot")
  rw+=("${res% *}"); rc+=("${res#* }")
  printf 'run %d: qemu %6d ms wall %6d ms cpu   rewind %6d ms wall %6d ms cpu   (load %s)\n' "$i" \
    "${qw[-1]}" "${qc[-1]}" "${rw[-1]}" "${rc[-1]}" "$(cut -d' ' -f1 /proc/loadavg)"
done
printf 'median of %d: qemu %d ms wall %d ms cpu; rewind %d ms wall %d ms cpu; qemu/rewind wall %.2f\n' "$runs" \
  "$(median "${qw[@]}")" "$(median "${qc[@]}")" "$(median "${rw[@]}")" "$(median "${rc[@]}")" \
  "$(echo "$(median "${qw[@]}") / $(median "${rw[@]}")" | bc -l)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
