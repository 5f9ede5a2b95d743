#!/usr/bin/env bash
# Boot-to-shell time of Debian 13's riscv64 Linux (scripts/boot-linux.sh: OpenSBI fw_dynamic, the
# kernel, a busybox initramfs, 512 MiB) on 1, 2 and 4 harts: Rewind ('rewind run --smp N') against
# QEMU 7.2 with -icount shift=0 (one hart only: with more, QEMU 7.2 hangs after OpenSBI) and without
# icount. Whole processes (JVM start included), alternating, medians. A run ends when the busybox
# prompt shows after /init's line; wall time, and CPU time (user + system) of the process and its
# children up to then. The load average is printed beside every run: the machine may be shared.
#   scripts/bench-linux-boot.sh [RUNS] [HARTS ...]     (default: 5 runs of 1 2 4 harts)
# Record and replay: 'rewind record' then 'rewind replay' of that recording, against QEMU 7.2's
# '-icount shift=0,rr=record,rrfile=F' then 'rr=replay' (-net none). A recording types 'poweroff -f'
# when the prompt shows and runs to the guest's exit, so it replays whole; record and replay are
# timed as whole processes to their end (/usr/bin/time: user + system of the process and its
# children). After each Rewind replay the script checks that its console bytes and icount equal the
# recording's and that it verified the recorded final state digest ('final state verified'; the
# replay also checks every periodic hart digest on the way, a mismatch ends it with status 4); after
# each QEMU replay, that its console bytes equal the recording's. A QEMU recording that QEMU refuses
# (7.2 says "Record/replay feature is not supported for 'smp'" with -smp > 1) or that shows no prompt
# within HANG_TIMEOUT seconds (default 150) is reported as such and not repeated.
#   BENCH_FORMS="rewind-record rewind-replay qemu-record qemu-replay" picks forms (default: all of
#   rewind rewind-record rewind-replay qemu-icount qemu-record qemu-replay qemu-no-icount).
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
# Runs "$@" (stdin a fifo, stdout to $1's file) until the guest exits, typing 'poweroff -f' once the
# prompt shows; prints "wall_ms cpu_ms", "hang" when no prompt shows within $2 seconds, or "refused: MESSAGE"
# when it ends before the shell saying a feature is not supported (QEMU 7.2 refuses rr with -smp > 1).
to_poweroff() {
  local out="$1" limit="$2" s pid e; shift 2
  rm -f "$work/rr-in" "$work/time"; mkfifo "$work/rr-in"
  exec 8<> "$work/rr-in"
  : > "$out"
  s=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" < "$work/rr-in" > "$out" 2> "$out.err" &
  pid=$!
  until sed -n '/init: busybox shell/,$p' "$out" | grep -aq '# '; do
    if ! kill -0 "$pid" 2> /dev/null; then
      grep -q "not supported" "$out.err" && { echo "refused: $(grep -m1 "not supported" "$out.err")"; exec 8>&-; return; }
      echo "exited before the shell: $*" >&2; tail -n 20 "$out" "$out.err" >&2; exit 1
    fi
    if [ $((($(date +%s%N) - s) / 1000000000)) -ge "$limit" ]; then
      tree_kill "$pid"; wait "$pid" 2> /dev/null || true; exec 8>&-; echo hang; return
    fi
    sleep 0.05
  done
  echo 'poweroff -f' >&8
  wait "$pid" || { echo "failed: $*" >&2; tail -n 20 "$out.err" >&2; exit 1; }
  e=$(date +%s%N)
  exec 8>&-
  echo "$(((e - s) / 1000000)) $(awk '{print int(($1 + $2) * 1000)}' "$work/time")"
}
# Runs "$@" to its end (stdin /dev/null, output to $1's files); prints "wall_ms cpu_ms".
to_end() {
  local out="$1" s e; shift
  s=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" < /dev/null > "$out" 2> "$out.err" \
    || { echo "failed ($?): $*" >&2; tail -n 20 "$out.err" >&2; exit 1; }
  e=$(date +%s%N)
  echo "$(((e - s) / 1000000)) $(awk '{print int(($1 + $2) * 1000)}' "$work/time")"
}
# Rewind: the replay printed the recording's console bytes, reached its icount and verified its final digest.
check_rewind() {
  local rec="$1" rep="$2" ri pi v=identical
  ri=$(sed -n 's/^rewind record: \([0-9]*\) instructions.*/\1/p' "$rec.err")
  pi=$(sed -n 's/^rewind replay: replayed to icount \([0-9]*\).*/\1/p' "$rep.err")
  cmp -s "$rec" "$rep" || v="CONSOLE DIFFERS"
  [ -n "$ri" ] && [ "$ri" = "$pi" ] || v="$v, ICOUNT DIFFERS ($ri vs $pi)"
  grep -q "final state verified" "$rep.err" || v="$v, FINAL STATE NOT VERIFIED"
  echo "console $(wc -c < "$rec") bytes, icount $ri: $v"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

declare -A wall cpu hung
forms() { # the systems measured for N harts
  local f
  for f in ${BENCH_FORMS:-rewind rewind-record rewind-replay qemu-icount qemu-record qemu-replay qemu-no-icount}; do
    case "$f" in
      qemu-icount) [ "$1" = 1 ] && echo "$f" ;;
      *) echo "$f" ;;
    esac
  done
}
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
  for n in "${harts[@]}"; do
    for f in $(forms "$n"); do
      [ -n "${hung[$f-$n]:-}" ] && continue
      check=""
      case "$f" in
        rewind) res=$(to_shell "$here/scripts/boot-linux.sh" --smp "$n") ;;
        qemu-icount) res=$(to_shell "$here/scripts/boot-linux.sh" --qemu --smp "$n") ;;
        qemu-no-icount) res=$(to_shell "$here/scripts/boot-linux.sh" --qemu-no-icount --smp "$n") ;;
        rewind-record) res=$(to_poweroff "$work/rec-$n" 3600 "$here/scripts/boot-linux.sh" --smp "$n" --record "$work/linux-$n.rrlog") ;;
        rewind-replay)
          [ -n "${hung[rewind-record-$n]:-}" ] && continue
          res=$(to_end "$work/rep-$n" "$here/rewind" replay "$work/linux-$n.rrlog")
          check=$(check_rewind "$work/rec-$n" "$work/rep-$n") ;;
        qemu-record) res=$(to_poweroff "$work/qrec-$n" "${HANG_TIMEOUT:-150}" "$here/scripts/boot-linux.sh" --qemu-rr record "$work/linux-$n.qrr" --smp "$n") ;;
        qemu-replay)
          [ -n "${hung[qemu-record-$n]:-}" ] && continue
          res=$(to_end "$work/qrep-$n" "$here/scripts/boot-linux.sh" --qemu-rr replay "$work/linux-$n.qrr" --smp "$n")
          check="console $(wc -c < "$work/qrec-$n") bytes: $(cmp -s "$work/qrec-$n" "$work/qrep-$n" && echo identical || echo "CONSOLE DIFFERS")" ;;
      esac
      if [ "${res%%:*}" = refused ]; then
        hung[$f-$n]=1
        printf 'run %d: %-15s %d harts: %s  (load %s)\n' "$i" "$f" "$n" "$res" "$(cut -d' ' -f1 /proc/loadavg)"
        continue
      fi
      if [ "$res" = hang ]; then
        hung[$f-$n]=1
        printf 'run %d: %-15s %d harts: no shell prompt within %d s wall, not repeated  (load %s)\n' "$i" "$f" "$n" \
          "$([ "$f" = qemu-record ] && echo "${HANG_TIMEOUT:-150}" || echo 3600)" "$(cut -d' ' -f1 /proc/loadavg)"
        continue
      fi
      wall[$f-$n]="${wall[$f-$n]:-} ${res% *}"; cpu[$f-$n]="${cpu[$f-$n]:-} ${res#* }"
      printf 'run %d: %-15s %d harts: %7d ms wall %7d ms cpu  (load %s)%s\n' "$i" "$f" "$n" "${res% *}" "${res#* }" \
        "$(cut -d' ' -f1 /proc/loadavg)" "${check:+  replay vs record: $check}"
    done
  done
done
echo "medians of $runs (ms):"
for n in "${harts[@]}"; do
  for f in $(forms "$n"); do
    if [ -z "${cpu[$f-$n]:-}" ]; then
      printf '  %-15s %d harts: no figure (%s)\n' "$f" "$n" "$([ -n "${hung[$f-$n]:-}" ] && echo "refused, or no prompt in time: see its run line" || echo "its recording did not run")"
      continue
    fi
    # shellcheck disable=SC2086
    printf '  %-15s %d harts: wall %7d  cpu %7d\n' "$f" "$n" "$(median ${wall[$f-$n]})" "$(median ${cpu[$f-$n]})"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
