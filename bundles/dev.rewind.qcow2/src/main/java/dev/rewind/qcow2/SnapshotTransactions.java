package dev.rewind.qcow2;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import static dev.rewind.qcow2.Qcow2Image.COMPRESSED;
import static dev.rewind.qcow2.Qcow2Image.COPIED;
import static dev.rewind.qcow2.Qcow2Image.L1E_OFFSET_MASK;
import static dev.rewind.qcow2.Qcow2Image.L2E_OFFSET_MASK;

/**
 * Internal snapshot operations of a {@link Qcow2Image} (create, apply, delete, rename) as
 * shadow transactions.
 *
 * <p>Snapshot create, apply, delete and rename change many refcounts and COPIED flags at
 * once, and no order of in-place writes keeps those consistent for qemu-img check at
 * every instant. So they never write a cluster the on-disk header reaches: the new active
 * L1 and L2 tables whose flags change, the snapshot table and a whole new refcount
 * structure go to clusters the on-disk refcounts count as free, and one write of header
 * bytes 36..71 (L1, refcount table and snapshot table fields together) switches to them.
 * Before that write the old image is intact (the new clusters are merely unreferenced);
 * after it the new one is complete. Replaced clusters become reusable only then.
 */
final class SnapshotTransactions {

    private final Qcow2Image img;
    private final HostFile file;
    private final Qcow2Header header;
    private final int clusterBits;
    private final int clusterSize;
    private final long csMask;
    private final ClusterMap map;
    private final ClusterWriter writer;
    private final RefcountTable refcounts;

    SnapshotTransactions(Qcow2Image img, ClusterMap map, ClusterWriter writer) {
        this.img = img;
        this.file = img.file;
        this.header = img.header;
        this.clusterBits = img.clusterBits;
        this.clusterSize = img.clusterSize;
        this.csMask = clusterSize - 1;
        this.map = map;
        this.writer = writer;
        this.refcounts = img.refcounts;
    }

    /** See {@link Qcow2Image#createSnapshot(String, long, long, InputStream, Instant)}. */
    Snapshot create(String name, long icount, long vmClockNs, InputStream vmState, Instant date) throws IOException {
        byte[] nameBytes = SnapshotTable.nameBytes(name);
        if (refcounts.maxRefcount() < 2) {
            throw new Qcow2Exception("img.snapshots need refcounts wider than 1 bit", 96);
        }
        if (img.snapshots.size() >= SnapshotTable.MAX_SNAPSHOTS) {
            throw new Qcow2Exception("too many snapshots (limit " + SnapshotTable.MAX_SNAPSHOTS + ")",
                    Qcow2Exception.NO_OFFSET);
        }
        for (Snapshot s : img.snapshots.snapshots()) {
            if (s.name().equals(name)) {
                throw new Qcow2Exception("a snapshot named '" + name + "' already exists", Qcow2Exception.NO_OFFSET);
            }
        }
        String id = img.snapshots.nextId();
        writer.flush();
        long vmStart = img.vmStateOffset();
        long vmLen = 0;
        if (vmState != null) {
            byte[] chunk = new byte[Math.max(clusterSize, 1 << 20)];
            try {
                for (;;) {
                    int n = vmState.readNBytes(chunk, 0, chunk.length);
                    if (n <= 0) {
                        break;
                    }
                    writer.writeMapped(vmStart + vmLen, chunk, 0, n);
                    vmLen += n;
                }
            } catch (IOException | RuntimeException e) {
                // No snapshot: do not leave a half-written state in the active image.
                writer.discardActive(vmStart, (vmLen + csMask) & ~csMask);
                writer.flush();
                throw e;
            }
            writer.flush();
        }
        // Check the new table fits before touching anything.
        Snapshot probe = new Snapshot(0, map.l1.length, id.getBytes(java.nio.charset.StandardCharsets.UTF_8), nameBytes,
                date.getEpochSecond() & 0xFFFFFFFFL, date.getNano(), vmClockNs, vmLen, header.size, icount, 24,
                new byte[0]);
        img.snapshots.with(probe).encode();

        Snapshot s;
        beginShadow();
        try {
            adjustRefcounts(map.l1, +1);
            long[] snapL1 = new long[map.l1.length];
            for (int i = 0; i < map.l1.length; i++) {
                snapL1[i] = map.l1[i] & ~COPIED;
            }
            long snapL1Offset = writeFreshL1(snapL1);
            s = new Snapshot(snapL1Offset, map.l1.length, probe.id, nameBytes, probe.dateSec, probe.dateNsec, vmClockNs,
                    vmLen, header.size, icount, 24, new byte[0]);
            long[] active = map.l1.clone();
            setCopiedFlags(active, header.l1TableOffset);
            commitShadow(active, img.snapshots.with(s));
            if (snapL1Offset != 0) {
                map.remember(snapL1Offset, snapL1);
            }
        } catch (IOException | RuntimeException e) {
            abandonShadow(e);
            if (vmLen > 0 && !img.closed) {
                try {
                    writer.discardActive(vmStart, (vmLen + csMask) & ~csMask);
                    writer.flush();
                } catch (IOException | RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
        if (vmLen > 0) {
            // As QEMU's savevm: the active image does not keep the state once the snapshot has it.
            writer.discardActive(vmStart, (vmLen + csMask) & ~csMask);
            writer.flush();
        }
        return s;
    }

    /** Raises or lowers the refcount of every L2 table and data cluster an L1 table reaches. */
    private void adjustRefcounts(long[] table, int delta) throws IOException {
        for (int i = 0; i < table.length; i++) {
            long l1e = table[i];
            long l2off = l1e & L1E_OFFSET_MASK;
            if (l2off == 0) {
                continue;
            }
            L2Cache.Table t = map.loadL2(l1e, map.l1EntryOffset(table, i));
            for (int j = 0; j < t.entries.length; j++) {
                long e = t.entries[j];
                if (e == 0) {
                    continue;
                }
                if ((e & COMPRESSED) != 0) {
                    int csizeShift = 62 - (clusterBits - 8);
                    long coffset = e & ((1L << csizeShift) - 1);
                    long nb = ((e >>> csizeShift) & ((1L << (clusterBits - 8)) - 1)) + 1;
                    adjustRange(coffset & ~511L, nb * 512, delta);
                } else if ((e & L2E_OFFSET_MASK) != 0) {
                    adjustRange(e & L2E_OFFSET_MASK, clusterSize, delta);
                }
            }
            adjustRange(l2off, clusterSize, delta);
        }
    }

    private void adjustRange(long off, long len, int delta) throws IOException {
        if (delta < 0) {
            writer.release(off, len);
        } else {
            refcounts.addRange(off, len, delta);
        }
    }

    /** Starts a shadow transaction; everything earlier is flushed first. */
    private void beginShadow() throws IOException {
        writer.flush();
        refcounts.beginShadow();
    }

    /** Drops a transaction that failed before its switch: memory goes back to what the disk says. */
    private void abandonShadow(Exception cause) {
        try {
            refcounts.abandonShadow();
            img.reloadAfterRepair();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
            img.closeQuietly();
        }
    }

    /** Writes an L1 table to clusters that are free on disk (offset 0 for an empty table). */
    private long writeFreshL1(long[] entries) throws IOException {
        if (entries.length == 0) {
            return 0;
        }
        int clusters = (int) (((long) entries.length * 8 + csMask) / clusterSize);
        long off = refcounts.allocate(clusters);
        ByteBuffer b = ByteBuffer.allocate(clusters * clusterSize);
        b.asLongBuffer().put(entries);
        file.write(off, b);
        return off;
    }

    /**
     * Sets COPIED in a new active L1 and its L2 tables exactly where the final refcount is 1.
     * An L2 table whose flags must change is not touched (the old header may still reach it):
     * the active image gets a fresh copy instead and lets go of the old table. That swap moves
     * one path to each data cluster from one table to the other, so no data refcount changes
     * and the flags computed from them stay right.
     */
    private void setCopiedFlags(long[] active, long entriesAt) throws IOException {
        for (int i = 0; i < active.length; i++) {
            long l2off = active[i] & L1E_OFFSET_MASK;
            if (l2off == 0) {
                continue;
            }
            L2Cache.Table t = map.loadL2(active[i], entriesAt + 8L * i);
            long[] want = null;
            for (int j = 0; j < t.entries.length; j++) {
                long e = t.entries[j];
                if ((e & COMPRESSED) != 0 || (e & L2E_OFFSET_MASK) == 0) {
                    continue;
                }
                boolean single = refcounts.get((e & L2E_OFFSET_MASK) >>> clusterBits) == 1;
                long w = single ? e | COPIED : e & ~COPIED;
                if (w != e) {
                    if (want == null) {
                        want = t.entries.clone();
                    }
                    want[j] = w;
                }
            }
            if (want != null) {
                long copy = refcounts.allocate(1);
                ByteBuffer b = ByteBuffer.allocate(clusterSize);
                b.asLongBuffer().put(want);
                file.write(copy, b);
                writer.release(l2off, clusterSize);
                img.l2Cache.put(new L2Cache.Table(copy, want));
                active[i] = copy;
            }
        }
        for (int i = 0; i < active.length; i++) {
            long l2off = active[i] & L1E_OFFSET_MASK;
            if (l2off != 0) {
                active[i] = refcounts.get(l2off >>> clusterBits) == 1 ? l2off | COPIED : l2off;
            }
        }
    }

    /**
     * Ends a shadow transaction: the new active L1 (if it differs) and the snapshot table (if
     * it differs) go to free clusters, the refcount structure is written anew, and one header
     * write switches to all of it.
     */
    private void commitShadow(long[] active, SnapshotTable table) throws IOException {
        long l1Offset = header.l1TableOffset;
        if (!Arrays.equals(active, map.l1)) {
            l1Offset = writeFreshL1(active);
            if (map.l1.length > 0) {
                writer.release(header.l1TableOffset, (long) map.l1.length * 8);
            }
        }
        long tableOffset = header.snapshotsOffset;
        long tableBytes = img.snapshotTableBytes;
        if (table != img.snapshots) {
            byte[] enc = table.encode();
            tableOffset = 0;
            tableBytes = enc.length;
            if (table.size() > 0) {
                int clusters = (int) ((enc.length + csMask) / clusterSize);
                tableOffset = refcounts.allocate(clusters);
                file.write(tableOffset, enc, 0, enc.length);
                file.extendTo(tableOffset + (long) clusters * clusterSize);
            }
            if (header.snapshotsOffset != 0 && img.snapshotTableBytes > 0) {
                writer.release(header.snapshotsOffset, img.snapshotTableBytes);
            }
        }
        RefcountTable.Location reftable = refcounts.writeShadow();
        file.force();
        ByteBuffer h = ByteBuffer.allocate(Qcow2Header.OFF_INCOMPAT - Qcow2Header.OFF_L1)
                .putInt(active.length).putLong(l1Offset)
                .putLong(reftable.offset()).putInt(reftable.clusters())
                .putInt(table.size()).putLong(tableOffset);
        // 36 bytes inside the first sector and page: a killed process made this write or did not.
        file.write(Qcow2Header.OFF_L1, h.array(), 0, h.capacity());
        // Switched: from here memory must describe the new image, even if the force fails.
        header.l1Size = active.length;
        header.l1TableOffset = l1Offset;
        header.nbSnapshots = table.size();
        header.snapshotsOffset = tableOffset;
        refcounts.endShadow(reftable);
        map.l1 = active;
        writer.l1Written();
        img.snapshots = table;
        img.snapshotTableBytes = tableBytes;
        file.force();
    }

    /**
     * Writes a complete table to fresh clusters, switches the header to it, frees the old one.
     * Only repair uses this: it raises refcounts in place before the switch (a kill leaves a
     * leak at worst) and needs no other metadata changed with the table.
     */
    void switchSnapshotTable(SnapshotTable table) throws IOException {
        byte[] enc = table.encode();
        long newOff = 0;
        if (table.size() > 0) {
            int clusters = (int) ((enc.length + csMask) / clusterSize);
            newOff = refcounts.allocate(clusters);
            refcounts.writeDirty();
            file.write(newOff, enc, 0, enc.length);
            file.extendTo(newOff + (long) clusters * clusterSize);
        }
        file.force();
        file.write(Qcow2Header.OFF_SNAPSHOTS, ByteBuffer.allocate(12).putInt(table.size()).putLong(newOff).array(), 0,
                12);
        file.force();
        long oldOff = header.snapshotsOffset;
        long oldLen = img.snapshotTableBytes;
        header.nbSnapshots = table.size();
        header.snapshotsOffset = newOff;
        img.snapshots = table;
        img.snapshotTableBytes = enc.length;
        if (oldOff != 0 && oldLen > 0) {
            writer.release(oldOff, oldLen);
            refcounts.writeDirty();
        }
    }

    /** Reverts the disk (and the vmstate area) to a snapshot. */
    void apply(Snapshot s) throws IOException {
        if (s.diskSize != header.size) {
            throw new Qcow2Exception("snapshot '" + s.name() + "' has disk size " + s.diskSize + " but the image has "
                    + header.size + "; loading img.snapshots with a different disk size is not supported",
                    Qcow2Exception.NO_OFFSET);
        }
        long[] snapL1 = map.snapshotL1(s);
        beginShadow();
        try {
            // Raise the snapshot's paths before lowering the old ones: shared clusters never touch 0.
            adjustRefcounts(snapL1, +1);
            adjustRefcounts(map.l1, -1);
            long[] active = new long[Math.max(map.l1.length, snapL1.length)];
            System.arraycopy(snapL1, 0, active, 0, snapL1.length);
            setCopiedFlags(active, s.l1TableOffset);
            commitShadow(active, img.snapshots);
        } catch (IOException | RuntimeException e) {
            abandonShadow(e);
            throw e;
        }
    }

    /** Deletes a snapshot and releases the clusters only it used. */
    void delete(Snapshot s) throws IOException {
        long[] snapL1 = map.snapshotL1(s);
        beginShadow();
        try {
            adjustRefcounts(snapL1, -1);
            if (s.l1Size > 0) {
                writer.release(s.l1TableOffset, (long) s.l1Size * 8);
            }
            long[] active = map.l1.clone();
            setCopiedFlags(active, header.l1TableOffset);
            commitShadow(active, img.snapshots.without(s));
        } catch (IOException | RuntimeException e) {
            abandonShadow(e);
            throw e;
        }
        map.forgetSnapshotL1(s.l1TableOffset);
    }

    void rename(Snapshot s, String newName) throws IOException {
        byte[] nb = SnapshotTable.nameBytes(newName);
        for (Snapshot o : img.snapshots.snapshots()) {
            if (o != s && o.name().equals(newName)) {
                throw new Qcow2Exception("a snapshot named '" + newName + "' already exists", Qcow2Exception.NO_OFFSET);
            }
        }
        beginShadow();
        try {
            commitShadow(map.l1, img.snapshots.replaced(s, s.withName(nb)));
        } catch (IOException | RuntimeException e) {
            abandonShadow(e);
            throw e;
        }
    }
}
