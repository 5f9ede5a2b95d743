package dev.rewind.cli.img;

import dev.rewind.qcow2.Snapshot;
import java.io.PrintStream;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** The snapshot table as qemu-img prints it: ID, TAG, VM SIZE, DATE, VM CLOCK, ICOUNT. */
final class SnapshotListing {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private SnapshotListing() {
    }

    static void print(List<Snapshot> snapshots, PrintStream out) {
        out.println("Snapshot list:");
        out.println(row("ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT"));
        for (Snapshot s : snapshots) {
            out.println(row(s.id(), s.name(), HumanSize.format(s.vmStateSize()), DATE.format(s.date()),
                    clock(s.vmClockNanos()), s.hasIcount() ? Long.toString(s.icount()) : ""));
        }
    }

    /** Same column widths as QEMU's bdrv_snapshot_dump. */
    private static String row(String id, String tag, String size, String date, String clock, String icount) {
        return String.format("%-9s %-17s %7s%20s%13s%11s", id, tag, size, date, clock, icount);
    }

    static String clock(long ns) {
        long secs = Long.divideUnsigned(ns, 1_000_000_000L);
        long ms = Long.remainderUnsigned(ns, 1_000_000_000L) / 1_000_000;
        return String.format("%02d:%02d:%02d.%03d", secs / 3600, (secs / 60) % 60, secs % 60, ms);
    }
}
