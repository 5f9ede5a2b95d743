#!/usr/bin/env bash
# Reverse debugging on a long recording of Linux (issue 17), Rewind and QEMU 7.2 side by side:
# Debian 13's Linux 6.12 with OpenSBI fw_dynamic on one hart boots to the busybox shell, prints
# kernel symbols (/proc/kallsyms), then runs a shell loop that prints "tick" about every 2e9
# instructions, recorded for --insns instructions (default 1e10). Rewind records with
# scripts/boot-linux.sh --record (snapshots persisted as rewind record does by default); QEMU records the
# same input with -icount shift=0,rr=record,rrsnapshot=init and is stopped (monitor 'quit') once
# its instruction count passes --insns. Each recording is then served to gdb-multiarch, which
# runs scripts/bench-reverse/linux.py: open + replay_seek to the end, reverse-stepi after a jump
# (the first and the next ones) at each depth, reverse-continue to a breakpoint on ksys_write
# (the last hit before the end, then one exactly --rc-back instructions back).
#   scripts/bench-reverse/linux.sh [--work DIR] [--only rewind|qemu] [--insns N] [--steps N]
#                                  [--qemu-steps N] [--depths 1e8,1e9,end] [--rc-back 1e9]
#                                  [--qemu-parts open,1e8,1e9,end,rc,rcfrom] (QEMU: a fresh one per part)
# The recordings stay in DIR (default a new /tmp/rewind-linux-bench.*) for reuse. A benchmark,
# not a test: tens of minutes of CPU, mostly QEMU replaying from its one snapshot.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="" only="" insns=10000000000 steps=10 qsteps=2 depths="1e8,1e9,end" rcback=1e9 qparts=
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --insns) insns="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --qemu-steps) qsteps="$2"; shift 2 ;;
    --depths) depths="$2"; shift 2 ;;
    --rc-back) rcback="$2"; shift 2 ;;
    --qemu-parts) qparts="$(echo "$2" | tr , ' ')"; shift 2 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
  esac
done
for tool in gdb-multiarch python3 timeout qemu-system-riscv64 qemu-img; do
  command -v "$tool" > /dev/null || { echo "linux.sh: $tool is not on PATH" >&2; exit 2; }
done
[ -n "$work" ] || work="$(mktemp -d /tmp/rewind-linux-bench.XXXXXX)"
mkdir -p "$work"; work="$(cd "$work" && pwd)"
results="$work/results.jsonl"
echo "linux.sh: working in $work; rewind at $(git -C "$here" rev-parse --short HEAD), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
input="$work/input.txt"
printf '%40s\n%s\n%s\n%s\n' '' 'grep -w -e ksys_write -e jiffies -e handle_exception /proc/kallsyms' 'uname -a' \
  'while true; do echo tick; i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; done' > "$input"
log="$work/linux.rrlog"
if [ ! -f "$log" ] && [ "$only" != qemu ]; then
  echo "linux.sh: recording Linux with Rewind (${insns} instructions) ..." >&2
  # the default snapshots: every 250M instructions into linux.snapshots.qcow2, within 4 x the RAM
  /usr/bin/time -f "record: %e s wall %U+%S cpu" "$here/scripts/boot-linux.sh" --record "$log" --max-insns "$insns" \
    < "$input" > "$work/record.out" 2>&1
fi
ksys_write=$(sed -n 's/^\([0-9a-f]\{16\}\) [A-Za-z] ksys_write\r\?$/\1/p' "$work/record.out" | head -n 1)
end=$(sed -n 's/.*rewind record: \([0-9]*\) instructions.*/\1/p' "$work/record.out" | tail -n 1)
[ -n "$ksys_write" ] && [ -n "$end" ] || {
  echo "linux.sh: no kallsyms or end in $work/record.out (--only qemu takes them from a Rewind recording there)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
run_gdb() { # label port end steps
  BENCH_TARGET="$1" BENCH_PORT="$2" BENCH_END="$3" BENCH_STEPS="$4" BENCH_OUT="$results" BENCH_DEPTHS="${BENCH_DEPTHS_ONE:-$depths}" \
  BENCH_BREAK="0x$ksys_write" BENCH_RC_BACK="$rcback" BENCH_SERVER_PID="${BENCH_SERVER_PID:-}" \
    timeout 7200 gdb-multiarch -nx -batch -ex "set architecture riscv:rv64" -ex "set remotetimeout 3600" \
    -ex "target remote 127.0.0.1:$2" -x "$here/scripts/bench-reverse/linux.py" 2>&1 | tee "$work/gdb-$1.log" >&2
}

if [ "$only" != qemu ]; then
  t0=$(date +%s.%N)
  "$here/rewind" gdbserver --replay "$log" --listen 0 > "$work/gdbserver.out" 2> "$work/gdbserver.log" &
  server=$!
  port=$("$here/scripts/gdbserver-port.sh" "$work/gdbserver.log" 300 "$server") || exit 1
  t1=$(date +%s.%N)
  # its CPU so far, all threads (schedstat: ns on the CPU), beside the wall time the load inflates
  open_cpu=$(cat /proc/$server/task/*/schedstat 2> /dev/null | awk '{s += $1} END {print s / 1e9}')
  echo "{\"target\": \"rewind\", \"op\": \"open (gdbserver --replay until listening)\", \"depth\": 0, \"seconds\": [$(python3 -c "print($t1-$t0)")], \"stops\": [], \"notes\": \"\", \"cpu_seconds\": [${open_cpu:-0}]}" >> "$results"
  BENCH_SERVER_PID="$server" run_gdb rewind "$port" "$end" "$steps" || echo "linux.sh: gdb against Rewind failed" >&2
  kill "$server" 2> /dev/null || true
  wait "$server" 2> /dev/null || true
fi

if [ "$only" != rewind ]; then
  kernel=$(ls "${REWIND_RISCV64_PACKAGES:-$("$here/scripts/fetch-riscv64-packages.sh")}"/root/boot/vmlinux-* | head -n 1)
  fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
  initrd="$work/linux.initrd.cpio.gz"
  qemu=(qemu-system-riscv64 -M virt -m 512M -smp 1 -display none -serial stdio -net none
        -drive "file=$work/qemu-empty.qcow2,if=none,id=rr" -bios "$fw" -kernel "$kernel" -initrd "$initrd"
        -append "console=ttyS0 earlycon=sbi")
  if [ ! -f "$work/qemu.rr" ]; then
    rm -f "$work/qemu-empty.qcow2"; qemu-img create -q -f qcow2 "$work/qemu-empty.qcow2" 1M
    echo "linux.sh: recording Linux with QEMU until icount $insns ..." >&2
    mon="$work/qemu-monitor.sock"
    rm -f "$mon"
    # QEMU drops what arrives before the console is open: type the lines once the shell prompts.
    fifo="$work/qemu-stdin"
    rm -f "$fifo" "$work/qemu-record.done"; mkfifo "$fifo"
    { exec 3> "$fifo"
      for _ in $(seq 1 3000); do grep -q '~ # ' "$work/qemu-record.out" 2> /dev/null && break; sleep 0.2; done
      # one byte at a time, each once the shell echoed the one before: QEMU's UART drops what
      # overflows its 16-byte FIFO under rr=record, and on a loaded machine a fixed pace overran it
      tail -n +2 "$input" | python3 -c 'import os, sys, time
out = sys.argv[1]
for ch in sys.stdin.read():
    seen = os.path.getsize(out)
    sys.stdout.write(ch); sys.stdout.flush()
    for _ in range(500):
        if os.path.getsize(out) > seen: break
        time.sleep(0.01)
    time.sleep(0.01)' "$work/qemu-record.out" >&3
      while [ ! -f "$work/qemu-record.done" ]; do sleep 1; done; } &  # keeps the pipe open
    feeder=$!
    timeout 7200 "${qemu[@]}" -icount "shift=0,rr=record,rrfile=$work/qemu.rr,rrsnapshot=init" \
      -monitor "unix:$mon,server,nowait" < "$fifo" > "$work/qemu-record.out" 2>&1 &
    qpid=$!
    python3 - "$mon" "$insns" <<'PY'
import re, socket, sys, time
path, limit = sys.argv[1], int(sys.argv[2])
def ask(cmd):
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(5)
    s.sendall((cmd + "\n").encode()); time.sleep(0.3)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk: break
            data += chunk
            if b"(qemu)" in data.split(cmd.encode(), 1)[-1]: break
    except socket.timeout:
        pass
    s.close(); return data.decode(errors="replace")
for _ in range(200):
    try: ask("info replay"); break
    except OSError: time.sleep(0.2)
while True:
    m = re.search(r"instruction count = (\d+)", ask("info replay"))
    if m and int(m.group(1)) >= limit:
        ask("quit"); break
    time.sleep(0.5)
PY
    wait "$qpid" 2> /dev/null || true
    touch "$work/qemu-record.done"
    wait "$feeder" 2> /dev/null || true
  fi
  # A fresh QEMU for each part: after reverse steps, QEMU 7.2 did not resume from replay_seek 0.
  for part in ${qparts:-open $(echo "$depths" | tr , ' ') rc rcfrom}; do
    rcfrom=""
    if [ "$part" = rcfrom ]; then # --rc-back after the last hit QEMU's own reverse-continue found
      rcfrom=$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["target"] == "qemu" and r["op"] == "reverse-continue from the end" and r["stops"]: last = r["stops"][0]
print(last + int(float(sys.argv[2])) if last + int(float(sys.argv[2])) <= int(sys.argv[3]) else "")' "$results" "$rcback" "$insns" 2> /dev/null || true)
      [ -n "$rcfrom" ] || continue
    fi
    port=$(free_port)
    t0=$(date +%s.%N)
    timeout 14400 "${qemu[@]}" -icount "shift=0,rr=replay,rrfile=$work/qemu.rr,rrsnapshot=init" -monitor none \
      -gdb "tcp:127.0.0.1:$port" -S < /dev/null > "$work/qemu-replay.out" 2>&1 &
    qpid=$!
    for _ in $(seq 1 300); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()" 2> /dev/null && break; sleep 0.1; done
    t1=$(date +%s.%N)
    qemu_pid=$(cat "/proc/$qpid/task/$qpid/children" 2> /dev/null | cut -d' ' -f1) # timeout's child: QEMU itself
    [ "$part" = open ] && echo "{\"target\": \"qemu\", \"op\": \"open (qemu rr=replay until the gdb port answers)\", \"depth\": 0, \"seconds\": [$(python3 -c "print($t1-$t0)")], \"stops\": [], \"notes\": \"\"}" >> "$results"
    case "$part" in
      open|rc) BENCH_SERVER_PID="$qemu_pid" BENCH_PARTS="${part/open/end}" run_gdb qemu "$port" "$insns" "$qsteps" || echo "linux.sh: gdb against QEMU failed" >&2 ;;
      rcfrom) BENCH_SERVER_PID="$qemu_pid" BENCH_RC_FROM="$rcfrom" BENCH_PARTS="$part" run_gdb qemu "$port" "$insns" "$qsteps" || echo "linux.sh: gdb against QEMU failed" >&2 ;;
      *) BENCH_SERVER_PID="$qemu_pid" BENCH_PARTS=depths BENCH_DEPTHS_ONE="$part" run_gdb qemu "$port" "$insns" "$qsteps" || echo "linux.sh: gdb against QEMU failed" >&2 ;;
    esac
    kill "$qpid" 2> /dev/null || true
    wait "$qpid" 2> /dev/null || true
  done
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -f "$results" ] || { echo "linux.sh: no results" >&2; exit 1; }
python3 - "$results" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    s = r["seconds"]
    first, rest = (s[0], sorted(s[1:])) if len(s) > 1 else (s[0] if s else 0, [])
    med = (rest[(len(rest) - 1) // 2] + rest[len(rest) // 2]) / 2 if rest else None
    print("%-7s %-40s depth %-12d first %9.1f ms%s %s" % (r["target"], r["op"], r["depth"], first * 1000,
          "  median of next %d %8.1f ms" % (len(rest), med * 1000) if med is not None else "", r.get("notes", "")))
    # the server's CPU time for the same commands: all its threads (JIT, GC), and the one serving gdb
    for key, label in (("cpu_seconds", "server CPU, all threads"), ("main_cpu_seconds", "server CPU, gdb's thread")):
        c = r.get(key)
        if c:
            crest = sorted(c[1:])
            cmed = (crest[(len(crest) - 1) // 2] + crest[len(crest) // 2]) / 2 if crest else None
            print("%-7s %-40s %-18s first %9.1f ms%s" % ("", "  " + label, "", c[0] * 1000,
                  "  median of next %d %8.1f ms" % (len(crest), cmed * 1000) if cmed is not None else ""))
PY
