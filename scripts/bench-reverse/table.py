# Prints the side-by-side table of scripts/bench-reverse/run.sh from its results.jsonl.
import json
import statistics
import sys

rows = {}
errors = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "error" in r:
        errors.append("%s: %s" % (r["target"], r["error"]))
        continue
    key = (r["op"], r["depth"])
    rows.setdefault(key, {})[r["target"]] = r


def fmt(seconds):
    return "%.1f ms" % (seconds * 1e3) if seconds < 1 else "%.2f s" % seconds


print("| operation | depth (icount) | QEMU 7.2 median | Rewind median | QEMU / Rewind | same stops |")
print("|---|---|---|---|---|---|")
for (op, depth), by in rows.items():
    q, w = by.get("qemu"), by.get("rewind")
    mq = statistics.median(q["seconds"]) if q else None
    mw = statistics.median(w["seconds"]) if w else None
    ratio = "%.1f" % (mq / mw) if mq and mw else "-"
    # runs with different --reps compare on the repetitions both made
    n = min(len(q["stops"]), len(w["stops"])) if q and w else 0
    same = "-" if not n else ("yes" if q["stops"][:n] == w["stops"][:n] else "NO: %s vs %s" % (q["stops"], w["stops"]))
    print("| %s | %s | %s | %s | %s | %s |" % (op, "%.0e" % depth if depth else "-", fmt(mq) if q else "-",
                                             fmt(mw) if w else "-", ratio, same))
for (op, depth), by in rows.items():
    if op.startswith("forward") and "never-hit" not in op:
        for t in ("qemu", "rewind"):
            plain = by.get(t)
            with_bp = rows.get((op + " + never-hit bp", depth), {}).get(t)
            if plain and with_bp:
                print("%s: forward replay %.0f MIPS, with a never-hit breakpoint on the loop's page %.0f MIPS (%.1fx slower)"
                      % (t, 1e8 / statistics.median(plain["seconds"]) / 1e6, 1e8 / statistics.median(with_bp["seconds"]) / 1e6,
                         statistics.median(with_bp["seconds"]) / statistics.median(plain["seconds"])))
for e in errors:
    print("ERROR " + e)
