#!/usr/bin/env bash
# Debian's Linux on several harts, recorded and replayed, next to QEMU 7.2 (issue 15):
#   scripts/linux-smp.sh [N ...]          (default: 1 2 4; QEMU_RUNS=3 runs of QEMU per form)
# For each N: boots scripts/boot-linux.sh --smp N --record, types commands into the busybox shell
# (echo $((6*7)), the harts /proc/cpuinfo lists, poweroff -f), replays the recording and checks
# that the replay prints the same console bytes, reaches the same icount and verifies the final
# state (the replay checks every digest on the way). Then QEMU 7.2 boots the same kernel and
# initramfs with -smp N, with -icount shift=0 (its record/replay mode; with N > 1 it hangs after
# OpenSBI, hence a 100 s timeout) and without. Every run is a whole process timed with
# /usr/bin/time (wall, user+sys CPU); the load is printed beside each figure, since the machine is
# shared. Output under ${OUT:-/tmp/rewind-linux-smp}.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-/tmp/rewind-linux-smp}"
mkdir -p "$out"
exec 3>&1 # the figures, whatever the timed command's output is redirected to
harts=("$@")
[ ${#harts[@]} -gt 0 ] || harts=(1 2 4)
input="$out/typed.txt"
# Blank lines first: they reach the shell whenever the UART takes them, at moments the host decides.
{ for i in $(seq 1 40); do echo; done
  echo 'echo RESULT $((6*7))'; echo 'echo HARTS $(grep -c ^processor /proc/cpuinfo)'; echo 'poweroff -f'; } > "$input"

timed() { # timed LABEL CMD... : runs CMD, prints LABEL wall cpu load
  local label="$1"; shift
  local t="$out/$label.time"
  local rc=0
  /usr/bin/time -f "%e %U %S" -o "$t" "$@" || rc=$?
  read -r wall user sys < <(tail -n 1 "$t")
  printf '%-28s wall %7.2f s  cpu %7.2f s  rc %d  load %s\n' >&3 "$label" "$wall" "$(echo "$user + $sys" | bc)" "$rc" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
}

for n in "${harts[@]}"; do
  log="$out/linux-$n.rrlog"
  timed "rewind-record-smp$n" bash -c "'$here/scripts/boot-linux.sh' --smp $n --record '$log' < '$input' > '$out/record-$n.out' 2> '$out/record-$n.err'"
  timed "rewind-replay-smp$n" bash -c "'$here/rewind' replay '$log' > '$out/replay-$n.out' 2> '$out/replay-$n.err'"
  rec_icount=$(sed -n 's/^rewind record: \([0-9]*\) instructions.*/\1/p' "$out/record-$n.err")
  rep_icount=$(sed -n 's/^rewind replay: replayed to icount \([0-9]*\).*/\1/p' "$out/replay-$n.err")
  verdict=identical
  cmp -s "$out/record-$n.out" "$out/replay-$n.out" || verdict="CONSOLE DIFFERS"
  [ "$rec_icount" = "$rep_icount" ] || verdict="$verdict, ICOUNT DIFFERS"
  grep -q "final state verified" "$out/replay-$n.err" || verdict="$verdict, FINAL STATE NOT VERIFIED"
  echo "  smp $n: $(grep -a -o 'RESULT [0-9][0-9]*' "$out/record-$n.out" | head -n 1), $(grep -a -o 'HARTS [0-9][0-9]*' "$out/record-$n.out" | head -n 1), icount $rec_icount, record vs replay: $verdict"
  for form in icount no-icount; do
    flag=--qemu; [ "$form" = no-icount ] && flag=--qemu-no-icount
    for r in $(seq 1 "${QEMU_RUNS:-3}"); do
      timed "qemu-$form-smp$n-run$r" timeout 100 "$here/scripts/boot-linux.sh" $flag --smp "$n" < "$input" > "$out/qemu-$form-$n.out" 2>&1
      grep -aq "RESULT 42" "$out/qemu-$form-$n.out" || { echo "  qemu $form smp $n: no shell within 100 s"; break; }
    done
  done
done
