#!/usr/bin/env bash
# Embench-IoT (real embedded programs the project does not write) on Rewind against QEMU 7.2
# with -icount shift=0, on the same ELFs, as whole processes: per-program time, speed ratio and
# geometric means, wall and CPU, medians of RUNS (alternating Rewind and QEMU).
#
# --march gc builds rv64gc/lp64d (F and D instructions, picolibc's rv64imafdc/lp64d libraries)
# instead of rv64imac/lp64 (soft-float): the FP programs (nbody, st, minver, cubic, ...) then
# exercise the hart's FPU rather than libgcc's soft-float routines.
#
# Embench is fetched at benchmark time, never committed: pass a checkout or git directory of
# github.com/embench/embench-iot with --embench DIR (or EMBENCH_DIR), e.g. after
#   git clone https://github.com/embench/embench-iot /tmp/embench-iot
# Its sources are built here with the project's own board file (guests/embench/board.c) and
# start-up/UART/finisher (guests/lib), riscv64-unknown-elf-gcc -O2 rv64imac, and picolibc
# (Debian's picolibc-riscv64-unknown-elf, installed when missing) for libc/libm.
#
# Each benchmark is built twice, with GLOBAL_SCALE_FACTOR G and 2G (Embench's knob for longer
# runs; at 1 they retire only 2-7 M instructions, so start-up would be all that is measured):
# "whole" times the G build as a user runs it, "steady" divides the extra instructions of the
# 2G build by the extra time (start-up and warm-up cancel out).
#
#   scripts/bench-embench.sh [--embench DIR] [--runs 5] [--gsf 100] [--only a,b,...] [--work DIR] [--march imac|gc]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=5; gsf=100; only=""; work="${TMPDIR:-/tmp}/rewind-embench"; march=imac
src="${EMBENCH_DIR:-}"
# Where the session tooling mirrors fetched repositories (a git directory without work tree).
[ -z "$src" ] && [ -d /work/.mirror/embench+embench-iot/repo ] && src=/work/.mirror/embench+embench-iot/repo
while [ $# -gt 0 ]; do
  case "$1" in
    --embench) src="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --gsf) gsf="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --march) march="$2"; shift 2 ;;
    *) echo "usage: $0 [--embench DIR] [--runs N] [--gsf N] [--only a,b] [--work DIR] [--march imac|gc]" >&2; exit 2 ;;
  esac
done
if [ -z "$src" ] || [ ! -d "$src" ]; then
  echo "bench-embench: no Embench-IoT sources; clone github.com/embench/embench-iot and pass --embench DIR" >&2
  exit 2
fi
cc=riscv64-unknown-elf-gcc
picolibc=/usr/lib/picolibc/riscv64-unknown-elf
if [ ! -f "$picolibc/lib/release/rv64imac/lp64/libc.a" ]; then
  echo "bench-embench: installing picolibc-riscv64-unknown-elf (libc/libm for the benchmarks)" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends picolibc-riscv64-unknown-elf >&2
fi
for t in $cc qemu-system-riscv64 /usr/bin/time; do
  command -v "$t" > /dev/null || { echo "bench-embench: $t is missing (./test.sh installs it)" >&2; exit 2; }
done

# Sources: a checkout has src/, a mirror is a git directory to export from.
rm -rf "$work/embench"; mkdir -p "$work/embench" "$work/elf"
if [ -d "$src/src" ]; then
  cp -r "$src/src" "$src/support" "$work/embench/"
else
  git --git-dir="$src" archive HEAD src support | tar -x -C "$work/embench"
fi
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || git --git-dir="$src" rev-parse --short HEAD 2>/dev/null || echo unknown)

case "$march" in
  imac) arch=(-march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany); lib="$picolibc/lib/release/rv64imac/lp64"
        libgcc=$($cc -march=rv64imac -mabi=lp64 -print-libgcc-file-name) ;;
  gc) arch=(-march=rv64gc -mabi=lp64d -mcmodel=medany); lib="$picolibc/lib/release/rv64imafdc/lp64d"
      libgcc=$($cc -march=rv64gc -mabi=lp64d -print-libgcc-file-name) ;;
  *) echo "bench-embench: --march imac or gc" >&2; exit 2 ;;
esac
g="$here/guests"
$cc "${arch[@]}" -O2 -I"$g/lib" -c "$g/lib/crt0.S" -o "$work/elf/crt0.o"
$cc "${arch[@]}" -O2 -ffreestanding -fno-builtin -I"$g/lib" -c "$g/lib/rt.c" -o "$work/elf/rt.o"
benches=()
for d in "$work"/embench/src/*/; do
  b=$(basename "$d")
  [ -n "$only" ] && [[ ",$only," != *",$b,"* ]] && continue
  for f in "$gsf" $((2 * gsf)); do
    $cc "${arch[@]}" -O2 -nostdlib -nostartfiles -isystem "$picolibc/include" -T "$g/lib/link.ld" \
      -Wl,--no-warn-rwx-segments -DWARMUP_HEAT=1 -DGLOBAL_SCALE_FACTOR="$f" -I"$work/embench/support" \
      -o "$work/elf/$b-$f.elf" "$d"/*.c "$work/embench/support/main.c" "$work/embench/support/beebsc.c" \
      "$g/embench/board.c" "$work/elf/crt0.o" "$work/elf/rt.o" "$lib/libm.a" "$lib/libc.a" "$libgcc"
  done
  benches+=("$b")
done
"$here/rewind" version > /dev/null # builds the launcher (and its class cache) first if sources changed

qemu=(qemu-system-riscv64 -M virt -bios none -nographic -icount shift=0 -kernel)
# One timed process: prints "wall cpu" in seconds; fails the benchmark on a non-zero exit.
timed() {
  local t; t=$(mktemp)
  if ! /usr/bin/time -o "$t" -f "%e %U %S" "$@" < /dev/null > /dev/null 2>&1; then
    echo "bench-embench: failed: $*" >&2; rm -f "$t"; exit 1
  fi
  awk '{printf "%s %.3f\n", $1, $2 + $3}' "$t"; rm -f "$t"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "Embench-IoT $rev, GLOBAL_SCALE_FACTOR $gsf and $((2 * gsf)), medians of $runs; $(qemu-system-riscv64 --version | head -1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-15s %11s | %-23s %-23s %-11s | %-19s %-11s\n' "" "" "whole process (s)" "" "ratio" "steady (MIPS)" "ratio"
printf '%-15s %11s | %-11s %-11s %-11s %-11s %-5s %-5s | %-9s %-9s %-5s %-5s\n' benchmark instructions \
  "rewind wall" "rewind cpu" "qemu wall" "qemu cpu" wall cpu rewind qemu wall cpu
results="$work/results.txt"; : > "$results"
for b in "${benches[@]}"; do
  e1="$work/elf/$b-$gsf.elf"; e2="$work/elf/$b-$((2 * gsf)).elf"
  n1=$("$here/rewind" run --stats "$e1" 2>&1 > /dev/null | sed -n 's/^instructions: //p')
  n2=$("$here/rewind" run --stats "$e2" 2>&1 > /dev/null | sed -n 's/^instructions: //p')
  rw1=(); rc1=(); qw1=(); qc1=(); rw2=(); rc2=(); qw2=(); qc2=()
  for _ in $(seq "$runs"); do
    read -r w c < <(timed "$here/rewind" run "$e1"); rw1+=("$w"); rc1+=("$c")
    read -r w c < <(timed "${qemu[@]}" "$e1"); qw1+=("$w"); qc1+=("$c")
    read -r w c < <(timed "$here/rewind" run "$e2"); rw2+=("$w"); rc2+=("$c")
    read -r w c < <(timed "${qemu[@]}" "$e2"); qw2+=("$w"); qc2+=("$c")
  done
  echo "$b $n1 $n2 $(median "${rw1[@]}") $(median "${rc1[@]}") $(median "${qw1[@]}") $(median "${qc1[@]}")" \
    "$(median "${rw2[@]}") $(median "${rc2[@]}") $(median "${qw2[@]}") $(median "${qc2[@]}")" >> "$results"
  tail -1 "$results" | awk '{
    d = $3 - $2
    srw = ($8 > $4) ? d / ($8 - $4) / 1e6 : 0; src = ($9 > $5) ? d / ($9 - $5) / 1e6 : 0
    sqw = ($10 > $6) ? d / ($10 - $6) / 1e6 : 0; sqc = ($11 > $7) ? d / ($11 - $7) / 1e6 : 0
    printf "%-15s %11d | %-11.3f %-11.3f %-11.3f %-11.3f %-5.2f %-5.2f | %-9.0f %-9.0f %-5.2f %-5.2f\n",
      $1, $2, $4, $5, $6, $7, $6 / $4, $7 / $5, srw, sqw, (sqw > 0 ? srw / sqw : 0), (sqc > 0 ? src / sqc : 0)
  }'
done
awk '{
  d = $3 - $2; n++
  lw += log($6 / $4); lc += log($7 / $5)
  if ($8 > $4 && $10 > $6) { sw += log(($10 - $6) / ($8 - $4)); nsw++ }
  if ($9 > $5 && $11 > $7) { sc += log(($11 - $7) / ($9 - $5)); nsc++ }
} END {
  printf "geometric mean of Rewind/QEMU speed ratios over %d programs: whole process %.2fx wall, %.2fx CPU;", n, exp(lw / n), exp(lc / n)
  printf " steady state %.2fx wall, %.2fx CPU\n", nsw ? exp(sw / nsw) : 0, nsc ? exp(sc / nsc) : 0
}' "$results"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(ratio > 1: Rewind is faster; raw medians in $results)"
