package dev.rewind.qcow2;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * One internal snapshot table entry (qcow2.txt "Snapshot table"). Immutable; the table
 * rewrites whole entries. Unknown extra data after the fields we know is carried along.
 */
public final class Snapshot {

    /** icount value meaning "this snapshot was not taken under record/replay". */
    public static final long NO_ICOUNT = -1;

    final long l1TableOffset;
    final int l1Size;
    final byte[] id;
    final byte[] name;
    final long dateSec;
    final int dateNsec;
    final long vmClockNs;
    final long vmStateSize;
    final long diskSize;
    final long icount;
    /** extra_data_size as found on disk (QEMU writes at least 24). */
    final int extraDataSize;
    /** Extra data bytes beyond the 24 we know, preserved verbatim. */
    final byte[] unknownExtra;

    Snapshot(long l1TableOffset, int l1Size, byte[] id, byte[] name, long dateSec, int dateNsec, long vmClockNs,
            long vmStateSize, long diskSize, long icount, int extraDataSize, byte[] unknownExtra) {
        this.l1TableOffset = l1TableOffset;
        this.l1Size = l1Size;
        this.id = id;
        this.name = name;
        this.dateSec = dateSec;
        this.dateNsec = dateNsec;
        this.vmClockNs = vmClockNs;
        this.vmStateSize = vmStateSize;
        this.diskSize = diskSize;
        this.icount = icount;
        this.extraDataSize = extraDataSize;
        this.unknownExtra = unknownExtra;
    }

    public String id() { return new String(id, StandardCharsets.UTF_8); }
    public String name() { return new String(name, StandardCharsets.UTF_8); }
    public Instant date() { return Instant.ofEpochSecond(dateSec, dateNsec); }
    /** Guest virtual clock when the snapshot was taken, in nanoseconds. */
    public long vmClockNanos() { return vmClockNs; }
    /** Bytes of VM state stored with the snapshot (0 = disk-only snapshot). */
    public long vmStateSize() { return vmStateSize; }
    public long diskSize() { return diskSize; }
    /** Instruction count at which the snapshot was taken, or {@link #NO_ICOUNT}. */
    public long icount() { return icount; }
    public boolean hasIcount() { return icount != NO_ICOUNT; }
    public int extraDataSize() { return extraDataSize; }
    public byte[] unknownExtraData() { return unknownExtra.clone(); }
    public int l1Size() { return l1Size; }
    public long l1TableOffset() { return l1TableOffset; }

    Snapshot withName(byte[] newName) {
        return new Snapshot(l1TableOffset, l1Size, id, newName, dateSec, dateNsec, vmClockNs, vmStateSize, diskSize,
                icount, extraDataSize, unknownExtra);
    }

    /** The entry as the writer will store it: at least the 24 bytes of extra data QEMU writes. */
    Snapshot normalized() {
        return new Snapshot(l1TableOffset, l1Size, id, name, dateSec, dateNsec, vmClockNs, vmStateSize, diskSize,
                icount, Math.max(24, 24 + unknownExtra.length), unknownExtra);
    }

    Snapshot withUnknownExtraTruncated(int maxExtra) {
        byte[] keep = Arrays.copyOf(unknownExtra, Math.max(0, Math.min(unknownExtra.length, maxExtra - 24)));
        return new Snapshot(l1TableOffset, l1Size, id, name, dateSec, dateNsec, vmClockNs, vmStateSize, diskSize,
                icount, Math.min(extraDataSize, maxExtra), keep);
    }

    @Override
    public String toString() {
        return "Snapshot[id=" + id() + ", name=" + name() + ", icount=" + icount + ", vmstate=" + vmStateSize + "]";
    }
}
