#!/usr/bin/env bash
# Query speed on a recording of Linux (MMU on; issue 18), next to the gdb way. Records (once, into
# WORK) Debian 13's Linux 6.12 booting to the busybox shell with OpenSBI, where typed commands print
# kernel symbols from /proc/kallsyms (Debian ships no System.map; the kernel's own table gives the
# virtual addresses) and then run a shell loop for --insns instructions (default 1e10), as
# scripts/bench-reverse/linux.sh does. Then, with kernel virtual addresses (followed through the
# page tables to the physical bytes behind them):
#   1. last-write of jiffies at the end, in a first process (it builds the index and saves it beside
#      the recording) and in a second one (it reads the index back, as every later `rewind query` does);
#   2. last-write of system_state (set once at the end of boot) from a position 1e9 instructions
#      after that write;
#   3. the whole value history of jiffies (written at every timer tick), and of --var ADDR:LEN
#      (default: jiffies_seq's neighbour found by the index, see the README; any kernel VA);
# each a whole process (/usr/bin/time: wall, user+system CPU) with the query's own times (--time);
# and the gdb way over the same recording: gdbserver --replay + gdb-multiarch, a watchpoint on the
# variable and reverse-continue from the same positions (once for system_state; N times for
# jiffies, extrapolated to its number of changes). Ends with a table: each question as a second
# process (wall and CPU of the whole process, CPU of loading the index and of the answer) beside
# the gdb way's wall time.
#   scripts/bench-queries-linux.sh [--work DIR] [--insns N] [--reverse N (default 5)] [--keep-index]
#                                  [--only queries|gdb] [--var ADDR:LEN]
# (--keep-index: keep DIR's saved index, so the first process reads it too, instead of building it.)
# Prints the load average beside every figure: on a shared machine wall time mostly measures it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="" insns=10000000000 n=5 keep=no only="" var=""
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work="$2"; shift 2 ;;
    --insns) insns="$2"; shift 2 ;;
    --reverse) n="$2"; shift 2 ;;
    --keep-index) keep=yes; shift ;;
    --only) only="$2"; shift 2 ;;
    --var) var="$2"; shift 2 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
  esac
done
[ -n "$work" ] || work="$(mktemp -d /tmp/rewind-queries-linux.XXXXXX)"
mkdir -p "$work"; work="$(cd "$work" && pwd)"
rewind="$here/rewind"
load() { cut -d' ' -f1-3 /proc/loadavg; }
log="$work/linux.rrlog"
if [ ! -f "$log" ]; then
  echo "recording Linux into $log (${insns} instructions; load $(load)) ..." >&2
  printf '%40s\n%s\n%s\n%s\n' '' \
    'grep -w -e ksys_write -e jiffies -e jiffies_64 -e handle_exception -e system_state -e max_pfn -e totalram_pages /proc/kallsyms' \
    'uname -a' 'while true; do echo tick; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; done' |
    /usr/bin/time -f "record: %e s wall %U+%S cpu" "$here/scripts/boot-linux.sh" --record "$log" --snapshot init \
      --snapshot-image "$work/linux.snapshots.qcow2" --snapshot-every 250000000 --max-insns "$insns" \
      > "$work/record.out" 2>&1
fi
sym() { sed -n "s/^\([0-9a-f]\{16\}\) [A-Za-z] $1\r\?$/\1/p" "$work/record.out" | head -n 1; }
jiffies=$(sym jiffies); system_state=$(sym system_state)
end=$(sed -n 's/.*rewind record: \([0-9]*\) instructions.*/\1/p' "$work/record.out" | tail -n 1)
[ -n "$jiffies" ] && [ -n "$system_state" ] && [ -n "$end" ] || { echo "no kallsyms or end in $work/record.out" >&2; exit 1; }

summary=()
query() { # label, query words... -> the answer, then the times; a row of the table for second processes
  local label="$1"; shift
  echo "== $label (load $(load))"
  local out
  out=$(/usr/bin/time -f "TIME %e %U %S %M" "$rewind" query "$log" "$@" --time 2>&1)
  grep -v '^TIME ' <<< "$out" | sed -n '/^index:/p;/^index:/!{1,8p}' | sed 's/^/   /'
  local t; t=$(sed -n 's/^TIME //p' <<< "$out")
  echo "   whole process: $t" | awk '{printf "   whole process: %s s wall, %.2f s cpu (user+system), %d KB\n", $3, $4 + $5, $6}'
  if grep -q "query index read from" <<< "$out"; then
    local idx ans
    idx=$(sed -n 's/^index: [0-9.]* ms wall, \([0-9.]*\) ms cpu.*/\1/p' <<< "$out")
    ans=$(sed -n 's/.*answer: [0-9.]* ms wall, \([0-9.]*\) ms cpu.*/\1/p' <<< "$out")
    summary+=("$(echo "$t" | awk -v l="$label" -v i="$idx" -v a="$ans" -v ld="$(load)" \
      '{printf "%-58s %7.2f s %7.2f s %8.1f ms %8.1f ms   load %s", l, $1, $2 + $3, i, a, ld}')")
  fi
}
if [ "$only" != gdb ]; then
  [ "$keep" = yes ] || rm -f "$log.qindex"
  first="first process (builds and saves the index)"
  [ "$keep" = no ] || first="first process (reads the kept index)"
  query "last-write jiffies at the end: $first" last-write "0x$jiffies:8"
  query "last-write jiffies at the end" last-write "0x$jiffies:8"
fi
ss=$("$rewind" query "$log" last-write "0x$system_state:4" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["access"]["icount"])')
at=$((ss + 1000000000))
[ "$at" -le "$end" ] || at=$end
changes=$("$rewind" query "$log" history "0x$jiffies:8" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["changes"]))')
if [ "$only" != gdb ]; then
  query "last-write system_state, $((at - ss)) instructions after it" last-write "0x$system_state:4" --at "$at"
  query "history of jiffies ($changes changes)" history "0x$jiffies:8"
  if [ -n "$var" ]; then
    vchanges=$("$rewind" query "$log" history "$var" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["changes"]))')
    query "history of $var ($vchanges changes)" history "$var"
  fi
fi
table() {
  echo "== second processes (index read back), as a user runs 'rewind query'; the gdb way beside"
  printf '%-58s %9s %9s %11s %11s\n' "question" "wall" "cpu" "index cpu" "answer cpu"
  printf '%s\n' "${summary[@]}"
  [ -z "${gdb_rows:-}" ] || printf '%s' "$gdb_rows"
}
[ "$only" != queries ] || { table; exit 0; }

echo "== gdb way: gdbserver --replay + gdb-multiarch, watchpoint + reverse-continue (load $(load))"
gdbrun() { # script -> wall seconds of the gdb session (the server's start not included)
  "$rewind" gdbserver --replay "$log" --listen 0 > "$work/gdbserver.out" 2> "$work/gdbserver.log" &
  local server=$!
  local port; port=$("$here/scripts/gdbserver-port.sh" "$work/gdbserver.log" 300 "$server") || return 1
  sed "s/@PORT@/$port/" "$1" > "$1.run"
  timeout 3600 gdb-multiarch -nx -batch -x "$1.run" > "$work/gdb.out" 2>&1 || true
  kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true
}
cat > "$work/system_state.gdb" <<GDB
set pagination off
set architecture riscv:rv64
set remotetimeout 3600
target remote 127.0.0.1:@PORT@
monitor goto $at
watch *(int *)0x$system_state
python
import time
t = time.perf_counter(); gdb.execute("reverse-continue", to_string=True)
print("RC %.3f s" % (time.perf_counter() - t))
end
monitor info replay
GDB
gdbrun "$work/system_state.gdb"
rc_ss=$(sed -n 's/^RC //p' "$work/gdb.out")
echo "   reverse-continue to system_state's last write from icount $at: $rc_ss wall; stopped at $(grep -o 'instruction count = [0-9]*' "$work/gdb.out" | tail -1) (query: $ss)"
{
  echo "set pagination off"; echo "set architecture riscv:rv64"; echo "set remotetimeout 3600"
  echo "target remote 127.0.0.1:@PORT@"; echo "monitor goto $end"; echo "watch *(unsigned long *)0x$jiffies"
  echo "python"; echo "import time"; echo "t = time.perf_counter()"
  echo "for _ in range($n): gdb.execute('reverse-continue', to_string=True)"
  echo "print('RC %.3f s' % (time.perf_counter() - t))"; echo "end"; echo "monitor info replay"
} > "$work/jiffies.gdb"
gdbrun "$work/jiffies.gdb"
secs=$(sed -n 's/^RC \([0-9.]*\) s/\1/p' "$work/gdb.out")
echo "   $n reverse-continues with a watchpoint on jiffies from the end: ${secs} s wall -> its $changes changes: ~$(echo "$secs $n $changes" | awk '{printf "%.0f", $1 / $2 * $3}') s"
gdb_rows=$(printf 'gdb way (wall): last-write system_state %s; last-write jiffies (one reverse-continue) %s s; history of jiffies ~%s s (%s reverse-continues: %s s)   load %s\n' \
  "$rc_ss" "$(echo "$secs $n" | awk '{printf "%.1f", $1 / $2}')" "$(echo "$secs $n $changes" | awk '{printf "%.0f", $1 / $2 * $3}')" "$n" "$secs" "$(load)")
table
