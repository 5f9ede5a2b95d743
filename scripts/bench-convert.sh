#!/usr/bin/env bash
# `./rewind img convert` against `qemu-img convert` as whole processes (JVM start included),
# alternating (which tool goes first, too), both directions, wall and CPU, on a raw disk (1 GiB by default) of which 3 MiB in every 4 hold random data.
# (`./rewind img bench` times the converter in-process instead.)
#   scripts/bench-convert.sh [RUNS] [DIR] [GIB]   default: 9 runs in /dev/shm/rewind-bench-convert, 1 GiB
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-9}"
dir="${2:-/dev/shm/rewind-bench-convert}"
gib="${3:-1}"
mkdir -p "$dir"
cd "$dir"
if [ "$(stat -c %s disk.raw 2>/dev/null || echo 0)" != $((gib << 30)) ]; then
  rm -f disk.raw
  truncate -s "${gib}G" disk.raw
  head -c 1M /dev/urandom > piece
  for i in $(seq 0 $((gib * 1024 - 1))); do
    [ $((i % 4)) -eq 3 ] || dd if=piece of=disk.raw bs=1M seek="$i" conv=notrunc status=none
  done
  rm -f piece
fi
"$here/rewind" version > /dev/null # builds the launcher first if sources changed
. "$here/scripts/bench-lib.sh"
# Each conversion deletes its own previous output just before it writes the new one, and the
# tools alternate which goes first. Memory the kernel has just freed is cheap to fill again,
# memory it has long had free may first have to come back from the hypervisor (on this kind of
# VM ~3 ms per MiB): deleting all outputs at once and always running qemu-img first gave
# qemu-img the hot pages and rewind the cold ones (qcow2->raw: 1.3 vs 5.8 s; rewind first:
# 1.8 vs 3.1 s).
convert() { # TOOL FORMAT IN OUT
  rm -f "$4"
  case "$1" in
    qemu) bench_measure qemu-img convert -O "$2" "$3" "$4" ;;
    rewind) bench_measure "$here/rewind" img convert -O "$2" "$3" "$4" ;;
  esac
}
declare -A wall cpu
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
  order="qemu rewind"
  [ $((i % 2)) -eq 0 ] && order="rewind qemu"
  for tool in $order; do
    res=$(convert "$tool" qcow2 disk.raw "${tool:0:1}.qcow2"); wall[$tool-1]+="${res% *} "; cpu[$tool-1]+="${res#* } "
  done
  for tool in $order; do
    res=$(convert "$tool" raw "${tool:0:1}.qcow2" "${tool:0:1}.raw"); wall[$tool-2]+="${res% *} "; cpu[$tool-2]+="${res#* } "
  done
done
qemu-img compare -q q.qcow2 r.qcow2 && cmp -s q.raw r.raw && qemu-img check -q r.qcow2 && echo "outputs: identical, qemu-img check clean"
# The outputs take 2.8 GiB of a memory-backed /dev/shm on a shared machine; the source stays for the next run.
rm -f q.qcow2 r.qcow2 q.raw r.raw
for d in "raw->qcow2 1" "qcow2->raw 2"; do
  set -- $d
  qw=$(bench_median ${wall[qemu-$2]}); rw=$(bench_median ${wall[rewind-$2]}); qc=$(bench_median ${cpu[qemu-$2]}); rc=$(bench_median ${cpu[rewind-$2]})
  printf '%-11s qemu-img %4d ms wall %4d ms cpu   rewind %4d ms wall %4d ms cpu   ratio wall %.2f cpu %.2f   (medians of %d)\n' \
    "$1" "$qw" "$qc" "$rw" "$rc" "$(echo "$qw / $rw" | bc -l)" "$(echo "$qc / $rc" | bc -l)" "$runs"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
