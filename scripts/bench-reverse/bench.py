# gdb-multiarch Python script for scripts/bench-reverse/run.sh: the same reverse-debugging
# measurements against any replay gdbserver (QEMU 7.2 rr=replay or `rewind gdbserver --replay`).
# Latency = wall time around gdb.execute, as a user of gdb sees it.
# Environment: BENCH_PORT, BENCH_TARGET (a label), BENCH_OUT (JSON lines appended),
#   BENCH_REPS (repetitions), BENCH_PARTS (comma list: stepi,milestone,tick,forward),
#   BENCH_STEPI_DEPTHS, BENCH_RC_DEPTHS (comma lists of icounts), BENCH_FORWARD (instructions per
#   forward run), BENCH_NEVER_LINE (a source line of main never reached while measuring).
import json
import os
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdb_bench import OUT, TARGET, icount, record, run, timed  # noqa: E402

PORT = os.environ["BENCH_PORT"]
REPS = int(os.environ.get("BENCH_REPS", "3"))
PARTS = os.environ.get("BENCH_PARTS", "stepi,milestone,tick,forward").split(",")
STEPI_DEPTHS = [int(float(x)) for x in os.environ.get("BENCH_STEPI_DEPTHS", "1e6,1e7,1e8,1e9").split(",") if x]
RC_DEPTHS = [int(float(x)) for x in os.environ.get("BENCH_RC_DEPTHS", "1e7,1e8").split(",") if x]
FORWARD = int(float(os.environ.get("BENCH_FORWARD", "1e8")))
NEVER_LINE = os.environ.get("BENCH_NEVER_LINE")


def goto(target):
    """Moves to icount `target` by a forward replay (monitor replay_break + continue), from 0 if behind."""
    now = icount()
    if now > target:
        run("monitor replay_seek 0")
        run("maintenance flush register-cache")
        now = icount()
        if now != 0:
            raise gdb.GdbError("replay_seek 0 went to %d" % now)
    if now < target:
        run("monitor replay_break %d" % target)
        run("continue")
        run("maintenance flush register-cache")
    now = icount()
    if now != target:
        raise gdb.GdbError("wanted icount %d, at %d" % (target, now))


def reverse_stepi(depth):
    goto(depth)
    seconds, stops = [], []
    for _ in range(REPS):
        before = icount()
        dt, _ = timed("reverse-stepi")
        after = icount()
        seconds.append(dt)
        stops.append(after)
        if after != before - 1:
            raise gdb.GdbError("reverse-stepi from %d landed at %d" % (before, after))
    record("reverse-stepi", depth, seconds, stops)


def reverse_continue(function, depth):
    goto(depth)
    run("break " + function)
    seconds, stops = [], []
    for _ in range(REPS):
        dt, text = timed("reverse-continue")
        seconds.append(dt)
        stops.append(icount())
    run("delete")
    record("reverse-continue to " + function, depth, seconds, stops)


def forward(with_breakpoint):
    # from the start each time: 2 x REPS runs of FORWARD instructions may not fit in one history
    run("monitor replay_seek 0")
    run("maintenance flush register-cache")
    seconds, stops = [], []
    if with_breakpoint:
        run("break " + NEVER_LINE)
    for _ in range(REPS):
        start = icount()
        run("monitor replay_break %d" % (start + FORWARD))
        dt, text = timed("continue")
        seconds.append(dt)
        stops.append(icount())
        if stops[-1] != start + FORWARD:
            raise gdb.GdbError("forward run from %d stopped at %d: %s" % (start, stops[-1], text))
    if with_breakpoint:
        where = run("info breakpoints").strip().splitlines()[-1]
        run("delete")
    record("forward %.0e instr" % FORWARD + (" + never-hit bp" if with_breakpoint else ""), 0, seconds, stops,
           "bp " + " ".join(where.split()[4:6]) if with_breakpoint else "")


gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote 127.0.0.1:" + PORT)
try:
    if "stepi" in PARTS:
        for d in STEPI_DEPTHS:
            reverse_stepi(d)
    for fn in ("milestone", "tick"):
        if fn in PARTS:
            for d in RC_DEPTHS:
                reverse_continue(fn, d)
    if "forward" in PARTS:
        forward(False)
        forward(True)
except gdb.error as e:
    print("%s: benchmark failed: %s" % (TARGET, e), flush=True)
    with open(OUT, "a") as f:
        f.write(json.dumps({"target": TARGET, "error": str(e)}) + "\n")
gdb.execute("detach")
