#!/usr/bin/env bash
# `./rewind img convert` against `qemu-img convert` as whole processes (JVM start included),
# alternating, both directions, on a raw disk (1 GiB by default) of which 3 MiB in every 4 hold random data.
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
ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
q1=(); r1=(); q2=(); r2=()
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$runs"); do
  rm -f q.qcow2 r.qcow2 q.raw r.raw
  q1+=("$(ms qemu-img convert -O qcow2 disk.raw q.qcow2)")
  r1+=("$(ms "$here/rewind" img convert -O qcow2 disk.raw r.qcow2)")
  q2+=("$(ms qemu-img convert -O raw q.qcow2 q.raw)")
  r2+=("$(ms "$here/rewind" img convert -O raw r.qcow2 r.raw)")
done
qemu-img compare -q q.qcow2 r.qcow2 && cmp -s q.raw r.raw && echo "outputs: identical"
for d in "raw->qcow2 q1 r1" "qcow2->raw q2 r2"; do
  set -- $d
  declare -n qs="$2" rs="$3"
  qm=$(median "${qs[@]}"); rm_=$(median "${rs[@]}")
  printf '%-11s qemu-img %4d ms   rewind %4d ms   ratio %.2f   (medians of %d)\n' "$1" "$qm" "$rm_" \
    "$(echo "$qm / $rm_" | bc -l)" "$runs"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
