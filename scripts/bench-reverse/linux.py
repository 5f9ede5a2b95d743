# gdb-multiarch Python script for scripts/bench-reverse/linux.sh: reverse debugging on a long
# recording of Linux, the same commands against QEMU 7.2 (rr=replay) and `rewind gdbserver
# --replay`; only QEMU's HMP replay commands (replay_seek, info replay) and gdb's own are used.
# Latency = wall time around gdb.execute, as a user of gdb sees it.
# Environment: BENCH_TARGET (label), BENCH_OUT (JSON lines appended), BENCH_PORT,
#   BENCH_END (the recording's last icount), BENCH_DEPTHS (comma list; "end" = BENCH_END),
#   BENCH_STEPS (reverse-stepi after the first, per depth), BENCH_BREAK (address of a function
#   the guest calls rarely, e.g. ksys_write), BENCH_RC_BACK (distance of the reverse-continue hit),
#   BENCH_PARTS (comma list of end, depths, rc; default all; rcfrom: only the reverse-continue from
#   BENCH_RC_FROM back to the hit before it).
import os
import sys
import time

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdb_bench import TARGET, icount, record, run, timed  # noqa: E402

END = int(os.environ["BENCH_END"])
DEPTHS = [END if x == "end" else int(float(x)) for x in os.environ.get("BENCH_DEPTHS", "1e8,1e9,end").split(",")]
STEPS = int(os.environ.get("BENCH_STEPS", "10"))
BREAK = os.environ["BENCH_BREAK"]
RC_BACK = int(float(os.environ.get("BENCH_RC_BACK", "1e9")))
PARTS = os.environ.get("BENCH_PARTS", "end,depths,rc").split(",")


def move(n):
    if TARGET == "qemu":
        # QEMU 7.2's replay_seek only loads a snapshot and arms a break: the VM must run there
        t = time.perf_counter()
        if icount() > n:
            run("monitor replay_seek 0")
            run("maintenance flush register-cache")
        if icount() < n:
            run("monitor replay_break %d" % n)
            run("continue")
        return time.perf_counter() - t
    return timed("monitor replay_seek %d" % n)[0]


def seek(n):
    dt = move(n)
    run("maintenance flush register-cache")
    at = icount()
    if at != n:
        raise gdb.GdbError("replay_seek %d went to %d" % (n, at))
    return dt


run("set pagination off")
run("set confirm off")
# 1. Seek from the start to the end of the recording (the server was just opened).
if "end" in PARTS:
    record("seek to end after opening", END, [seek(END)], [END])
# 2. reverse-stepi after a jump: the first step, then STEPS more.
for depth in DEPTHS if "depths" in PARTS else []:
    if icount() != 0:
        seek(0)  # arrive from elsewhere
    arrive = seek(depth)
    seconds, stops = [], []
    for _ in range(STEPS + 1):
        before = icount()
        seconds.append(timed("reverse-stepi")[0])
        run("maintenance flush register-cache")
        stops.append(icount())
        if stops[-1] != before - 1:
            raise gdb.GdbError("reverse-stepi from %d landed at %d" % (before, stops[-1]))
    record("seek, then reverse-stepi x%d" % (STEPS + 1), depth, seconds, stops, "seek %.3f s" % arrive)
# What the in-memory snapshots hold against their budget by now (Rewind's 'info snapshots' ends with it).
if TARGET != "qemu":
    record("in-memory snapshots after the parts so far", icount(), [], [],
           run("monitor info snapshots").strip().splitlines()[-1])
# 3. reverse-continue to a breakpoint hit RC_BACK instructions back: find the last hit before
#    the end, then continue back to it from RC_BACK after it (no hit in between: it is the last).
if "rcfrom" in PARTS:
    # a fresh server (QEMU 7.2 does not resume after going backwards): from BENCH_RC_FROM, RC_BACK
    # after the last hit that a 'rc' part found, back to that hit
    start = int(os.environ["BENCH_RC_FROM"])
    seek(start)
    run("break *%s" % BREAK)
    dt = timed("reverse-continue")[0]
    record("reverse-continue to a hit %.0e back" % RC_BACK, start, [dt], [icount()], "%d back" % (start - icount()))
    raise SystemExit
if "rc" not in PARTS:
    raise SystemExit
seek(END)  # before the breakpoint: QEMU's way there is a continue, which would stop at it
run("break *%s" % BREAK)
dt = timed("reverse-continue")[0]
last = icount()
record("reverse-continue from the end", END, [dt], [last], "%d back" % (END - last))
# (QEMU 7.2 did not resume after replay_seek once it had gone backwards: its figure is the one above)
if last + RC_BACK <= END and TARGET != "qemu":
    seek(last + RC_BACK)  # a seek: Rewind's replay_seek does not stop at breakpoints
    dt = timed("reverse-continue")[0]
    record("reverse-continue to a hit %.0e back" % RC_BACK, last + RC_BACK, [dt], [icount()],
           "%d back" % (last + RC_BACK - icount()))
run("delete")
if TARGET != "qemu":
    record("in-memory snapshots at the end", icount(), [], [], run("monitor info snapshots").strip().splitlines()[-1])
