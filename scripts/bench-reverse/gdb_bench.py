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


# The server's process (BENCH_SERVER_PID): its CPU time around each command, summed over its
# threads (JIT and GC included) from /proc/PID/task/*/schedstat, a figure the machine's load
# does not inflate the way it does wall time.
SERVER = os.environ.get("BENCH_SERVER_PID", "")
cpu_seconds = []


main_cpu_seconds = []


def server_cpu_ns():
    """CPU ns of the server: all its threads, and its main thread (the one serving gdb)."""
    total, main = 0, 0
    for tid in os.listdir("/proc/%s/task" % SERVER):
        try:
            with open("/proc/%s/task/%s/schedstat" % (SERVER, tid)) as f:
                ns = int(f.read().split()[0])
            total += ns
            if tid != SERVER:  # the launcher's first thread only waits; Java's main thread is named "java" too
                with open("/proc/%s/task/%s/comm" % (SERVER, tid)) as f:
                    main += ns if f.read().strip() == "java" else 0
        except OSError:
            pass  # a thread that ended meanwhile
    return total, main


def timed(cmd):
    """Seconds of wall time around the command, and what it printed; with BENCH_SERVER_PID, the
    server's CPU seconds for it (all threads; the main thread) go to cpu_seconds and main_cpu_seconds."""
    c = server_cpu_ns() if SERVER else (0, 0)
    t = time.perf_counter()
    text = run(cmd)
    dt = time.perf_counter() - t
    if SERVER:
        after = server_cpu_ns()
        cpu_seconds.append((after[0] - c[0]) / 1e9)
        main_cpu_seconds.append((after[1] - c[1]) / 1e9)
    return dt, text


def record(op, depth, seconds, stops, notes=""):
    """Appends a result; the server CPU seconds of the commands timed since the last record go with it."""
    result = {"target": TARGET, "op": op, "depth": depth, "seconds": seconds, "stops": stops, "notes": notes}
    if SERVER and seconds:
        result["cpu_seconds"] = cpu_seconds[-len(seconds):] if len(cpu_seconds) >= len(seconds) else []
        result["main_cpu_seconds"] = main_cpu_seconds[-len(seconds):] if len(main_cpu_seconds) >= len(seconds) else []
    cpu_seconds.clear()
    main_cpu_seconds.clear()
    with open(OUT, "a") as f:
        f.write(json.dumps(result) + "\n")
    print("%-8s %-34s depth %-12d %s  stops %s %s" % (TARGET, op, depth, " ".join("%.4f" % s for s in seconds),
                                                   stops, notes), flush=True)
