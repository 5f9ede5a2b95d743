#!/usr/bin/env bash
# Whole-system reverse debugging with gdb-multiarch on a recording of Linux (issue 17):
# records Debian 13's Linux 6.12 with OpenSBI fw_dynamic booting to the busybox shell
# (scripts/boot-linux.sh --record), where a typed command prints kernel symbols from
# /proc/kallsyms (Debian's package ships no System.map: the kernel's own table gives the
# addresses), then serves the recording with 'rewind gdbserver --replay' and checks in gdb:
#   1. a breakpoint on ksys_write is hit forward, and reverse-continue from the next hit
#      returns to the first one (same icount);
#   2. a watchpoint on jiffies, going backwards, stops at its last writer (gdb's Old/New value;
#      the icount and pc are printed, the value must drop by one);
#   3. at the entry of handle_exception (stvec), p $scause/$sepc show that trap, and
#      reverse-stepi lands on the trapping instruction (pc = sepc, icount - 1);
#   4. writing a CSR is refused: history is read-only.
# Prints the gdb transcript and one PASS/FAIL line per check; exit status 1 if any failed.
#   scripts/linux-reverse-debug.sh [--work DIR]   (DIR keeps linux.rrlog for reuse)
# The recording persists a snapshot every 250M instructions (and one just before its end), so the
# seek to the end jumps instead of replaying everything (scripts/bench-reverse/linux.sh: 1e10).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work=""
[ "${1:-}" = --work ] && { work="$2"; shift 2; }
[ -n "$work" ] || work="$(mktemp -d /tmp/rewind-linux-reverse.XXXXXX)"
mkdir -p "$work"; work="$(cd "$work" && pwd)"
for tool in gdb-multiarch python3 timeout; do
  command -v "$tool" > /dev/null || { echo "linux-reverse-debug: $tool is not on PATH" >&2; exit 2; }
done
log="$work/linux.rrlog"
if [ ! -f "$log" ]; then
  echo "linux-reverse-debug: recording Linux into $log ..." >&2
  # The first bytes reach the UART before the console is open and are dropped: a line of spaces.
  printf '%40s\n%s\n%s\n%s\n' '' \
    'grep -w -e ksys_write -e jiffies -e handle_exception /proc/kallsyms' 'uname -a' 'poweroff -f' |
    timeout 1800 "$here/scripts/boot-linux.sh" --record "$log" --snapshot init --snapshot-image "$work/linux.snapshots.qcow2" \
      --snapshot-every 250000000 > "$work/record.out" 2>&1
fi
sym() { sed -n "s/^\([0-9a-f]\{16\}\) [A-Za-z] $1\r\?$/\1/p" "$work/record.out" | head -n 1; }
ksys_write=$(sym ksys_write); jiffies=$(sym jiffies); handler=$(sym handle_exception)
[ -n "$ksys_write" ] && [ -n "$jiffies" ] && [ -n "$handler" ] || {
  echo "linux-reverse-debug: no kallsyms lines in $work/record.out" >&2; exit 1; }
end=$(sed -n 's/.*rewind record: \([0-9]*\) instructions.*/\1/p' "$work/record.out" | tail -n 1)
"$here/rewind" gdbserver --replay "$log" --listen 0 > "$work/gdbserver.out" 2> "$work/gdbserver.log" &
server=$!
trap 'kill $server 2> /dev/null || true' EXIT
port=$("$here/scripts/gdbserver-port.sh" "$work/gdbserver.log" 120 "$server") || exit 1
cat > "$work/session.gdb" <<GDB
set pagination off
set confirm off
set architecture riscv:rv64
set remotetimeout 300
target remote 127.0.0.1:$port
echo ==BREAK==\n
break *0x$ksys_write
continue
monitor info replay
printf "PC=%lx PRIV=%d\n", \$pc, \$priv
continue
monitor info replay
reverse-continue
monitor info replay
printf "PC=%lx PRIV=%d\n", \$pc, \$priv
delete
echo ==WATCH==\n
printf "JIFFIES=%lu\n", *(unsigned long *)0x$jiffies
watch *(unsigned long *)0x$jiffies
reverse-continue
monitor info replay
printf "PC=%lx PRIV=%d JIFFIES=%lu\n", \$pc, \$priv, *(unsigned long *)0x$jiffies
delete
echo ==TRAP==\n
break *0x$handler if \$scause == 8
reverse-continue
monitor info replay
printf "PC=%lx PRIV=%d SCAUSE=%lx SEPC=%lx STVAL=%lx MCAUSE=%lx\n", \$pc, \$priv, \$scause, \$sepc, \$stval, \$mcause
delete
reverse-stepi
monitor info replay
printf "PC=%lx PRIV=%d\n", \$pc, \$priv
echo ==LATENCY==\n
python
import time
def ms(cmd):
    t = time.perf_counter(); gdb.execute(cmd, to_string=True); return (time.perf_counter() - t) * 1000
print("SEEK-TO-END from icount %d: %.1f ms" % (int(gdb.execute("monitor info replay", to_string=True).split("=")[-1]), ms("monitor goto %d" % $end)))
for depth in (100000000, 1000000000, $end):
    ms("monitor goto %d" % depth)
    first = ms("reverse-stepi")
    rest = sorted(ms("reverse-stepi") for _ in range(10))
    print("LAT depth=%d first=%.1f median=%.1f ms" % (depth, first, (rest[4] + rest[5]) / 2))
end
echo ==WRITE==\n
set \$sscratch = 1
echo ==END==\n
GDB
t0=$(date +%s.%N)
timeout 900 gdb-multiarch -nx -batch -x "$work/session.gdb" > "$work/gdb.out" 2>&1 || true
t1=$(date +%s.%N)
cat "$work/gdb.out"
python3 - "$work/gdb.out" "$t0" "$t1" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
def section(name):
    return out.split("==%s==" % name, 1)[1].split("\n==", 1)[0]
def icounts(text):
    return [int(x) for x in re.findall(r"instruction count = (\d+)", text)]
ok = True
def check(name, cond, detail):
    global ok
    ok &= bool(cond)
    print("%s %s: %s" % ("PASS" if cond else "FAIL", name, detail))
b = section("BREAK"); ic = icounts(b); pcs = re.findall(r"PC=([0-9a-f]+) PRIV=(\d)", b)
check("breakpoint on ksys_write forward and reverse", len(ic) == 3 and ic[0] < ic[1] and ic[2] == ic[0]
      and len(pcs) == 2 and pcs[0] == pcs[1], "icounts %s, stops %s" % (ic, pcs))
w = section("WATCH"); now = re.findall(r"JIFFIES=(\d+)\n", w); back = re.findall(r"PC=([0-9a-f]+) PRIV=(\d) JIFFIES=(\d+)", w)
check("watchpoint on jiffies stops at its last writer going backwards", "Hardware watchpoint" in w and now and back
      and int(back[0][2]) == int(now[0]) - 1, "jiffies %s at the start, %s at icount %s" % (now, back, icounts(w)))
t = section("TRAP"); ic = icounts(t)
m = re.search(r"PC=([0-9a-f]+) PRIV=(\d) SCAUSE=([0-9a-f]+) SEPC=([0-9a-f]+)", t)
after = re.findall(r"(?m)PC=([0-9a-f]+) PRIV=(\d)$", t)
check("reverse-stepi out of handle_exception (an ecall from U-mode) lands on the trapping ecall",
      m and after and after[-1][0] == m.group(4) and after[-1][1] == "0" and len(ic) == 2 and ic[1] == ic[0] - 1,
      "handler stop %s, then %s at icounts %s" % (m.groups() if m else None, after, ic))
check("scause at the handler names the trap", m and "trap handler entry: scause 0x%s" % m.group(3) in t, (m.group(3) if m else None))
check("CSR writes are refused: history is read-only", "history is read-only" in section("WRITE"), section("WRITE").strip())
print("\n".join(l for l in section("LATENCY").splitlines() if l.startswith(("LAT", "SEEK"))))
print("gdb session: %.1f s wall" % (float(sys.argv[3]) - float(sys.argv[2])))
sys.exit(0 if ok else 1)
PY
