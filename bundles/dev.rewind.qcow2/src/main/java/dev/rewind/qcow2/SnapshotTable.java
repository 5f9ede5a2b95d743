package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The internal snapshot table: parsing with QEMU's limits, lookup, and encoding of a
 * complete new table (which the image always writes to fresh clusters).
 */
public final class SnapshotTable {

    /** QEMU's QCOW_MAX_SNAPSHOTS. */
    public static final int MAX_SNAPSHOTS = 65536;
    /** QEMU's QCOW_MAX_SNAPSHOTS_SIZE: 1 KiB per possible snapshot. */
    public static final long MAX_TABLE_BYTES = 1024L * MAX_SNAPSHOTS;
    /** QEMU's QCOW_MAX_SNAPSHOT_EXTRA_DATA. */
    public static final int MAX_EXTRA_DATA = 1024;
    public static final int MAX_NAME_BYTES = 65535;
    /** v3 entries must carry vm_state_size_large and disk_size. */
    static final int V3_MIN_EXTRA = 16;

    private final List<Snapshot> entries;
    /** Problems found while reading that check/repair reports (empty for a sane table). */
    final List<String> problems = new ArrayList<>();
    /** Entries that were repaired while reading in repair mode (truncated or dropped). */
    int repairedOnRead;
    /** Entries whose extra data is shorter than v3 requires ("incomplete"). */
    final List<Integer> incomplete = new ArrayList<>();

    SnapshotTable(List<Snapshot> entries) {
        this.entries = List.copyOf(entries);
    }

    public List<Snapshot> snapshots() {
        return entries;
    }

    public int size() {
        return entries.size();
    }

    /** Finds by id first, then by name, as QEMU does. */
    public Optional<Snapshot> find(String idOrName) {
        for (Snapshot s : entries) {
            if (s.id().equals(idOrName)) {
                return Optional.of(s);
            }
        }
        for (Snapshot s : entries) {
            if (s.name().equals(idOrName)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** QEMU's rule: one more than the largest numeric id. */
    String nextId() {
        long max = 0;
        for (Snapshot s : entries) {
            try {
                max = Math.max(max, Long.parseLong(s.id()));
            } catch (NumberFormatException e) {
                // non-numeric ids do not take part, as with strtoul
            }
        }
        return Long.toString(max + 1);
    }

    SnapshotTable with(Snapshot added) {
        List<Snapshot> l = new ArrayList<>(entries);
        l.add(added);
        return new SnapshotTable(l);
    }

    SnapshotTable without(Snapshot removed) {
        List<Snapshot> l = new ArrayList<>(entries);
        l.remove(removed);
        return new SnapshotTable(l);
    }

    SnapshotTable replaced(Snapshot old, Snapshot now) {
        List<Snapshot> l = new ArrayList<>(entries);
        l.set(l.indexOf(old), now);
        return new SnapshotTable(l);
    }

    /**
     * Reads {@code count} entries at {@code offset}. With {@code repair} false, violations of
     * QEMU's limits are errors; with it true they are fixed in memory and listed in {@link #problems}.
     */
    static SnapshotTable read(HostFile file, long offset, int count, int version, long diskSize, boolean repair)
            throws IOException {
        List<Snapshot> list = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<Integer> incomplete = new ArrayList<>();
        int repaired = 0;
        long pos = offset;
        long tableBytes = 0;
        for (int i = 0; i < count; i++) {
            long entryStart = pos;
            ByteBuffer h = ByteBuffer.wrap(file.readStrict(pos, 40, "snapshot table entry " + i));
            long l1Offset = h.getLong(0);
            int l1Size = h.getInt(8);
            int idSize = Short.toUnsignedInt(h.getShort(12));
            int nameSize = Short.toUnsignedInt(h.getShort(14));
            long dateSec = Integer.toUnsignedLong(h.getInt(16));
            int dateNsec = h.getInt(20);
            long vmClock = h.getLong(24);
            long vmState = Integer.toUnsignedLong(h.getInt(32));
            long extraSize = Integer.toUnsignedLong(h.getInt(36));
            pos += 40;
            if (extraSize > MAX_EXTRA_DATA) {
                if (!repair) {
                    throw new Qcow2Exception("too much extra metadata in snapshot table entry " + i + " (" + extraSize
                            + " > " + MAX_EXTRA_DATA + "); 'check -r all' can remove it", entryStart + 36);
                }
                problems.add("Discarding too much extra metadata in snapshot table entry " + i + " (" + extraSize
                        + " > " + MAX_EXTRA_DATA + ")");
                repaired++;
            }
            int keepExtra = (int) Math.min(extraSize, MAX_EXTRA_DATA);
            byte[] extra = repair ? lenient(file, pos, keepExtra) : file.readStrict(pos, keepExtra, "snapshot extra data");
            pos += extraSize;
            // When repairing, what lies past the end of the file reads as zeros, as in QEMU.
            byte[] id = repair ? lenient(file, pos, idSize) : file.readStrict(pos, idSize, "snapshot id");
            pos += idSize;
            byte[] name = repair ? lenient(file, pos, nameSize) : file.readStrict(pos, nameSize, "snapshot name");
            pos += nameSize;
            pos = (pos + 7) & ~7L;
            long entryLen = 40 + keepExtra + idSize + nameSize;
            tableBytes += (entryLen + 7) & ~7L;
            if (tableBytes > MAX_TABLE_BYTES) {
                if (!repair) {
                    throw new Qcow2Exception("snapshot table is too big (" + (count - i)
                            + " overhanging snapshots); 'check -r all' can remove them", entryStart);
                }
                problems.add("Discarding " + (count - i) + " overhanging snapshots (snapshot table is too big)");
                repaired += 1;
                break;
            }
            ByteBuffer x = ByteBuffer.wrap(extra);
            long large = keepExtra >= 8 ? x.getLong(0) : vmState;
            long disk = keepExtra >= 16 ? x.getLong(8) : diskSize;
            long icount = keepExtra >= 24 ? x.getLong(16) : Snapshot.NO_ICOUNT;
            if (large < 0) {
                throw new Qcow2Exception("snapshot " + i + " has a negative VM state size", pos);
            }
            byte[] unknown = keepExtra > 24 ? Arrays.copyOfRange(extra, 24, keepExtra) : new byte[0];
            if (version >= 3 && extraSize < V3_MIN_EXTRA) {
                incomplete.add(i);
            }
            list.add(new Snapshot(l1Offset, l1Size, id, name, dateSec, dateNsec, vmClock, large, disk, icount,
                    (int) extraSize > MAX_EXTRA_DATA ? MAX_EXTRA_DATA : (int) extraSize, unknown));
        }
        SnapshotTable t = new SnapshotTable(list);
        t.problems.addAll(problems);
        t.incomplete.addAll(incomplete);
        t.repairedOnRead = repaired;
        return t;
    }

    private static byte[] lenient(HostFile file, long pos, int len) throws IOException {
        byte[] b = new byte[len];
        file.read(pos, b, 0, len);
        return b;
    }

    /** The complete table as QEMU's qcow2_write_snapshots would write it. */
    byte[] encode() throws Qcow2Exception {
        if (entries.size() > MAX_SNAPSHOTS) {
            throw new Qcow2Exception("too many snapshots (limit " + MAX_SNAPSHOTS + ")", Qcow2Exception.NO_OFFSET);
        }
        long total = 0;
        for (Snapshot s : entries) {
            total += entryLength(s);
        }
        if (total > MAX_TABLE_BYTES) {
            throw new Qcow2Exception("snapshot table would exceed " + MAX_TABLE_BYTES + " bytes", Qcow2Exception.NO_OFFSET);
        }
        ByteBuffer b = ByteBuffer.allocate((int) total);
        for (Snapshot s : entries) {
            int start = b.position();
            b.putLong(s.l1TableOffset).putInt(s.l1Size).putShort((short) s.id.length).putShort((short) s.name.length)
                    .putInt((int) s.dateSec).putInt(s.dateNsec).putLong(s.vmClockNs)
                    .putInt(s.vmStateSize == (s.vmStateSize & 0xFFFFFFFFL) ? (int) s.vmStateSize : 0)
                    .putInt(24 + s.unknownExtra.length)
                    .putLong(s.vmStateSize).putLong(s.diskSize).putLong(s.icount).put(s.unknownExtra)
                    .put(s.id).put(s.name);
            b.position(start + entryLength(s));
        }
        return b.array();
    }

    static int entryLength(Snapshot s) {
        int len = 40 + 24 + s.unknownExtra.length + s.id.length + s.name.length;
        return (len + 7) & ~7;
    }

    static byte[] nameBytes(String name) throws Qcow2Exception {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0) {
            throw new Qcow2Exception("snapshot name must not be empty", Qcow2Exception.NO_OFFSET);
        }
        if (b.length > MAX_NAME_BYTES) {
            throw new Qcow2Exception("snapshot name longer than " + MAX_NAME_BYTES + " bytes", Qcow2Exception.NO_OFFSET);
        }
        return b;
    }
}
