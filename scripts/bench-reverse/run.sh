#!/usr/bin/env bash
# Reverse-debugging benchmark, QEMU 7.2 vs Rewind, side by side on the same ticktock.elf
# (issue 6). Records the guest with both, serves each recording to gdb-multiarch, runs the same
# gdb Python script (bench.py) against each and prints a table of medians.
#   scripts/bench-reverse/run.sh [--reps N] [--no-1e9] [--parts stepi,milestone,tick,forward] [--work DIR]
#                                [--only qemu|rewind]   (--only adds to an earlier run's results in DIR)
# Every QEMU/gdb/rewind run is bounded with timeout. A benchmark, not a test: minutes of CPU.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
reps=3; stepi_depths="1e6,1e7,1e8,1e9"; parts="stepi,milestone,tick,forward"; work=""; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --no-1e9) stepi_depths="1e6,1e7,1e8"; shift ;;
    --parts) parts="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "usage: $0 [--reps N] [--no-1e9] [--parts stepi,milestone,tick,forward] [--work DIR] [--only qemu|rewind]" >&2
       exit 2 ;;
  esac
done
for tool in qemu-system-riscv64 qemu-img gdb-multiarch python3 timeout; do
  command -v "$tool" >/dev/null || { echo "bench-reverse: $tool is not on PATH" >&2; exit 1; }
done
[ -n "$work" ] || work="$(mktemp -d /tmp/rewind-bench-reverse.XXXXXX)"
mkdir -p "$work"; work="$(cd "$work" && pwd)"
results="$work/results.jsonl"
[ -n "$only" ] || : > "$results"
echo "bench-reverse: working in $work" >&2
# The launcher builds the working tree: say which sources were measured.
echo "bench-reverse: rewind at commit $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')," \
  "$(git -C "$here" status --short -- 'bundles/*/src/main' 2>/dev/null | wc -l) uncommitted main source file(s);" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" | tee "$work/context.txt" >&2

# One private copy of the guest for both, so a rebuild of guests/ cannot skew the comparison.
[ -f "$here/guests/build/ticktock.elf" ] || make -s -C "$here/guests" build/ticktock.elf
# (--only keeps the earlier run's copy so that both columns measure the same program)
[ -n "$only" ] && [ -f "$work/ticktock.elf" ] || cp "$here/guests/build/ticktock.elf" "$work/ticktock.elf"
elf="$work/ticktock.elf"
# A line of main that never runs while we measure (after the loop), on the loop's code page.
never_line="ticktock.c:$(grep -n 'uart_puts("ticktock: done' "$here/guests/src/ticktock.c" | head -n1 | cut -d: -f1)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

run_gdb() { # label port
  BENCH_PORT="$2" BENCH_TARGET="$1" BENCH_OUT="$results" BENCH_REPS="$reps" BENCH_PARTS="$parts" \
  BENCH_STEPI_DEPTHS="$stepi_depths" BENCH_RC_DEPTHS="1e7,1e8" BENCH_FORWARD="1e8" BENCH_NEVER_LINE="$never_line" \
    timeout 1800 gdb-multiarch -nx -batch -x "$here/scripts/bench-reverse/bench.py" "$elf" 2>&1 | tee "$work/gdb-$1.log" >&2
}

# ---- QEMU 7.2: record, then replay under gdb ----
if [ "$only" != rewind ]; then
qemu=(qemu-system-riscv64 -M virt -bios none -nographic)
qemu_disk=(-drive "file=$work/empty.qcow2,if=none,id=rr" -net none)
rm -f "$work/empty.qcow2"
qemu-img create -f qcow2 "$work/empty.qcow2" 1M >/dev/null
echo "bench-reverse: recording with QEMU ..." >&2
t0=$(date +%s.%N)
timeout 900 "${qemu[@]}" -icount "shift=0,rr=record,rrfile=$work/ticktock.qemu.rr,rrsnapshot=init" "${qemu_disk[@]}" \
  -kernel "$elf" > "$work/qemu-record.log" 2>&1
t1=$(date +%s.%N)
echo "{\"target\": \"qemu\", \"op\": \"record\", \"depth\": 0, \"seconds\": [$(python3 -c "print($t1-$t0)")], \"stops\": []}" >> "$results"
port=$(free_port)
timeout 2400 "${qemu[@]}" -icount "shift=0,rr=replay,rrfile=$work/ticktock.qemu.rr,rrsnapshot=init" "${qemu_disk[@]}" \
  -gdb "tcp:127.0.0.1:$port" -S -kernel "$elf" > "$work/qemu-replay.log" 2>&1 &
qemu_pid=$!
sleep 1
run_gdb qemu "$port" || echo "bench-reverse: gdb against QEMU failed" >&2
kill "$qemu_pid" 2>/dev/null || true
wait "$qemu_pid" 2>/dev/null || true
fi

# ---- Rewind: record, then gdbserver --replay under gdb ----
if [ "$only" != qemu ]; then
# Our own build of the pure-Java bundles (as the launcher does), so that others rebuilding the
# shared launcher classes mid-run cannot break or change the measured code.
. "$here/scripts/select-jdk.sh"; rewind_select_jdk 17
mkdir -p "$work/classes"; : > "$work/sources.list"
for b in dev.rewind.emulator dev.rewind.qcow2 dev.rewind.symbols dev.rewind.replay dev.rewind.gdbstub dev.rewind.cli; do
  find "$here/bundles/$b/src/main/java" -name '*.java' >> "$work/sources.list"
  [ -d "$here/bundles/$b/src/main/resources" ] && cp -r "$here/bundles/$b/src/main/resources/." "$work/classes/"
done
"$JAVA_HOME/bin/javac" --release 17 -nowarn -encoding UTF-8 -d "$work/classes" @"$work/sources.list"
rewind=("$JAVA_HOME/bin/java" -cp "$work/classes" dev.rewind.cli.Main)
echo "bench-reverse: recording with Rewind ..." >&2
t0=$(date +%s.%N)
timeout 900 "${rewind[@]}" record "$elf" --rrfile "$work/ticktock.rrlog" > "$work/rewind-record.log" 2>&1
t1=$(date +%s.%N)
echo "{\"target\": \"rewind\", \"op\": \"record\", \"depth\": 0, \"seconds\": [$(python3 -c "print($t1-$t0)")], \"stops\": []}" >> "$results"
: > "$work/rewind-gdbserver.log"
timeout 2400 "${rewind[@]}" gdbserver --replay "$work/ticktock.rrlog" --listen 0 > "$work/rewind-gdbserver.out" \
  2> "$work/rewind-gdbserver.log" &
rewind_pid=$!
port=$("$here/scripts/gdbserver-port.sh" "$work/rewind-gdbserver.log" 60 "$rewind_pid") || exit 1
run_gdb rewind "$port" || echo "bench-reverse: gdb against Rewind failed" >&2
kill "$rewind_pid" 2>/dev/null || true
wait "$rewind_pid" 2>/dev/null || true
fi

cat "$work/context.txt"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/scripts/bench-reverse/table.py" "$results"
