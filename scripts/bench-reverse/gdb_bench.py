# What the gdb-multiarch Python scripts of scripts/bench-reverse share (bench.py, linux.py):
# running a gdb command, the replay's icount from 'monitor info replay' (QEMU 7.2's wording,
# which `rewind gdbserver --replay` answers too), timing a command as a user of gdb sees it, and
# appending a result as a JSON line to BENCH_OUT, labelled BENCH_TARGET.
import gdb
import json
import os
import re
import time

TARGET = os.environ["BENCH_TARGET"]
OUT = os.environ["BENCH_OUT"]


def run(cmd):
    return gdb.execute(cmd, to_string=True)


def icount():
    text = run("monitor info replay")
    m = re.search(r"instruction count = (\d+)", text)
    if m is None:
        raise gdb.GdbError("no icount in: " + text)
    return int(m.group(1))


def timed(cmd):
    """Seconds of wall time around the command, and what it printed."""
    t = time.perf_counter()
    text = run(cmd)
    return time.perf_counter() - t, text


def record(op, depth, seconds, stops, notes=""):
    with open(OUT, "a") as f:
        f.write(json.dumps({"target": TARGET, "op": op, "depth": depth, "seconds": seconds, "stops": stops,
                            "notes": notes}) + "\n")
    print("%-8s %-34s depth %-12d %s  stops %s %s" % (TARGET, op, depth, " ".join("%.4f" % s for s in seconds),
                                                   stops, notes), flush=True)
