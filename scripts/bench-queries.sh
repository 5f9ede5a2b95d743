#!/usr/bin/env bash
# Query speed on a long bare-metal recording (guests/src/history.c, ~1.9e9 instructions):
#   last-write of boot_config.marker, written once at the start, all the run before the end, and the
#   full value history of `progress`, written 10,000 times evenly over the run;
# next to the gdb way over the same recording: reverse-continue with a watchpoint (once for the
# last write; repeated for the history, N times and extrapolated to 10,000).
#   scripts/bench-queries.sh [N-reverse-continues (default 20)] [work-dir (default /tmp/rewind-bench-queries)]
#   GUEST=history-10g scripts/bench-queries.sh ...   the same over ~1e10 instructions (a long recording)
# Prints the load average beside every figure: on a shared machine wall time mostly measures it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-20}"
work="${2:-/tmp/rewind-bench-queries}"
mkdir -p "$work"
rewind="$here/rewind"
guest="${GUEST:-history}"
make -s -C "$here/guests" "build/$guest.elf"
log="$work/$guest.rrlog"
if [ ! -f "$log" ]; then
  echo "recording guests/build/$guest.elf (once) ..." >&2
  "$rewind" record "$here/guests/build/$guest.elf" --rrfile "$log" --max-insns 20000000000 >/dev/null
fi
end=$("$rewind" info "$log" | awk '/^instructions:/ {print $2}')
echo "== rewind query on $end instructions (load: $(cut -d' ' -f1-3 /proc/loadavg))"
"$rewind" query "$log" last-write boot_config:8 --time
"$rewind" query "$log" history progress --time | head -3
echo "   ..."
echo "== gdb way: gdbserver --replay + gdb-multiarch (load: $(cut -d' ' -f1-3 /proc/loadavg))"
port=$((20000 + RANDOM % 20000))
gdbrun() { # script-file -> seconds of wall time for the whole gdb session
  "$rewind" gdbserver --replay "$log" --listen "127.0.0.1:$port" 2>/dev/null &
  local server=$!
  sleep 2
  local t0; t0=$(date +%s.%N)
  gdb-multiarch -nx -batch -x "$1" "$here/guests/build/$guest.elf" > "$work/gdb.out" 2>&1 || true
  local t1; t1=$(date +%s.%N)
  wait "$server" 2>/dev/null || true
  echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}'
}
cat > "$work/last.gdb" <<G
set pagination off
target remote 127.0.0.1:$port
monitor replay_seek $end
maintenance flush register-cache
watch boot_config.marker
reverse-continue
monitor info replay
G
secs=$(gdbrun "$work/last.gdb")
echo "last write by reverse-continue with a watchpoint: ${secs} s wall (seek to the end included); $(grep -o 'instruction count = [0-9]*' "$work/gdb.out" | tail -1)"
{
  echo "set pagination off"; echo "target remote 127.0.0.1:$port"
  echo "monitor replay_seek $end"; echo "maintenance flush register-cache"; echo "watch progress"
  for _ in $(seq "$n"); do echo "reverse-continue"; done
  echo "monitor info replay"
} > "$work/history.gdb"
secs=$(gdbrun "$work/history.gdb")
echo "$n reverse-continues with a watchpoint on progress: ${secs} s wall -> 10000 of them: ~$(echo "$secs $n" | awk '{printf "%.0f", $1 / $2 * 10000}') s"
echo "(load at end: $(cut -d' ' -f1-3 /proc/loadavg))"
