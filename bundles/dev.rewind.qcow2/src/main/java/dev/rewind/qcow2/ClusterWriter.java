package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import static dev.rewind.qcow2.Qcow2Image.COMPRESSED;
import static dev.rewind.qcow2.Qcow2Image.COPIED;
import static dev.rewind.qcow2.Qcow2Image.L1E_OFFSET_MASK;
import static dev.rewind.qcow2.Qcow2Image.L2E_OFFSET_MASK;
import static dev.rewind.qcow2.Qcow2Image.L2E_STD_RESERVED;
import static dev.rewind.qcow2.Qcow2Image.MAX_L1_ENTRIES;
import static dev.rewind.qcow2.Qcow2Image.ZERO;

/**
 * The write side of a {@link Qcow2Image}: guest writes (in place, or into freshly allocated
 * clusters with copy-on-write of partial ones), zeroing and discard, releasing replaced
 * clusters once the metadata that referenced them is durable, and the ordered
 * {@link #flush()} (refcounts, force, L2, force, L1, force) that keeps the image crash-consistent.
 */
final class ClusterWriter {

    private final Qcow2Image img;
    private final HostFile file;
    private final Qcow2Header header;
    private final int clusterBits;
    private final int clusterSize;
    private final long csMask;
    private final ClusterMap map;
    private final RefcountTable refcounts;
    private final L2Cache l2Cache;
    private int l1DirtyFrom = Integer.MAX_VALUE;
    private int l1DirtyTo = -1;
    /** Released clusters waiting for the metadata that referenced them to reach the disk. */
    private long[] pendingFree = new long[64];
    private int pendingFreeCount;
    private byte[] cowBuffer;

    ClusterWriter(Qcow2Image img, ClusterMap map) {
        this.img = img;
        this.file = img.file;
        this.header = img.header;
        this.clusterBits = img.clusterBits;
        this.clusterSize = img.clusterSize;
        this.csMask = clusterSize - 1;
        this.map = map;
        this.refcounts = img.refcounts;
        this.l2Cache = img.l2Cache;
    }

    void writeMapped(long offset, byte[] buf, int off, int len) throws IOException {
        writeMapped(offset, ByteBuffer.wrap(buf), off, len);
    }

    /** Writes from {@code buf} at absolute index {@code off}. */
    void writeMapped(long offset, ByteBuffer buf, int off, int len) throws IOException {
        while (len > 0) {
            int l1i = map.l1Index(offset);
            long tableEnd = map.tableEnd(offset);
            int span = (int) Math.min(len, tableEnd - offset);
            L2Cache.Table t = l2ForWrite(l1i);
            writeInTable(t, offset, buf, off, span);
            offset += span;
            off += span;
            len -= span;
        }
    }

    L2Cache.Table l2ForWrite(int l1i) throws IOException {
        if (l1i >= map.l1.length) {
            growL1(l1i + 1L);
        }
        long l1e = map.l1[l1i];
        long l2off = l1e & L1E_OFFSET_MASK;
        if (l2off == 0) {
            long n = refcounts.allocate(1);
            L2Cache.Table t = new L2Cache.Table(n, new long[clusterSize / 8]);
            t.dirty = true;
            if (l2Cache.fullOfDirty()) {
                flush();
            }
            l2Cache.put(t);
            setL1(l1i, n | COPIED);
            return t;
        }
        L2Cache.Table t = map.loadL2(l1e, header.l1TableOffset + 8L * l1i);
        if ((l1e & COPIED) == 0) {
            // Shared with a snapshot: the active image gets its own copy of the table.
            long n = refcounts.allocate(1);
            L2Cache.Table copy = new L2Cache.Table(n, t.entries.clone());
            copy.dirty = true;
            if (l2Cache.fullOfDirty()) {
                flush();
            }
            l2Cache.put(copy);
            setL1(l1i, n | COPIED);
            releaseLater(l2off, clusterSize);
            return copy;
        }
        return t;
    }

    private void setL1(int i, long v) {
        map.l1[i] = v;
        l1DirtyFrom = Math.min(l1DirtyFrom, i);
        l1DirtyTo = Math.max(l1DirtyTo, i);
    }

    private void writeInTable(L2Cache.Table t, long offset, ByteBuffer buf, int off, int len) throws IOException {
        while (len > 0) {
            int idx = map.l2Index(offset);
            int inCluster = (int) (offset & csMask);
            long e = t.entries[idx];
            map.checkL2Entry(e, t, idx);
            if ((e & COPIED) != 0 && ClusterMap.isNormal(e)) {
                // Allocated and not shared: overwrite in place, as one write over contiguous clusters.
                long host = (e & L2E_OFFSET_MASK) + inCluster;
                int n = Math.min(len, clusterSize - inCluster);
                long next = (e & L2E_OFFSET_MASK) + clusterSize;
                int i = idx;
                while (n < len && i + 1 < t.entries.length) {
                    long f = t.entries[i + 1];
                    if ((f & COPIED) == 0 || !ClusterMap.isNormal(f) || (f & L2E_OFFSET_MASK) != next
                            || (f & L2E_STD_RESERVED) != 0) {
                        break;
                    }
                    i++;
                    next += clusterSize;
                    n += Math.min(clusterSize, len - n);
                }
                guardDataWrite(host, n);
                file.write(host, buf.slice(off, n));
                offset += n;
                off += n;
                len -= n;
                continue;
            }
            // A run of clusters that need fresh space (unallocated, zero, compressed or shared).
            int k = 1;
            int covered = Math.min(len, clusterSize - inCluster);
            while (covered < len && idx + k < t.entries.length) {
                long f = t.entries[idx + k];
                if ((f & COPIED) != 0 && ClusterMap.isNormal(f)) {
                    break;
                }
                map.checkL2Entry(f, t, idx + k);
                covered += Math.min(clusterSize, len - covered);
                k++;
            }
            long host = refcounts.allocate(k);
            long guestCluster = offset - inCluster;
            int fullFrom = 0;
            int fullTo = k;
            if (inCluster != 0 || covered < clusterSize) {
                writeCowCluster(t.entries[idx], guestCluster, host, inCluster, buf, off,
                        Math.min(covered, clusterSize - inCluster));
                fullFrom = 1;
            }
            int lastLen = (int) ((offset + covered) - (guestCluster + (long) (k - 1) * clusterSize));
            if (k > 1 && lastLen < clusterSize) {
                writeCowCluster(t.entries[idx + k - 1], guestCluster + (long) (k - 1) * clusterSize,
                        host + (long) (k - 1) * clusterSize, 0, buf, off + covered - lastLen, lastLen);
                fullTo = k - 1;
            }
            if (fullTo > fullFrom) {
                int srcOff = off + fullFrom * clusterSize - inCluster;
                file.write(host + (long) fullFrom * clusterSize, buf.slice(srcOff, (fullTo - fullFrom) * clusterSize));
            }
            for (int j = 0; j < k; j++) {
                long old = t.entries[idx + j];
                t.entries[idx + j] = (host + (long) j * clusterSize) | COPIED;
                releaseEntryLater(old);
            }
            l2Cache.markDirty(t);
            offset += covered;
            off += covered;
            len -= covered;
        }
    }

    /** Writes one whole cluster: the old contents with {@code len} new bytes at {@code at}. */
    private void writeCowCluster(long oldEntry, long guestCluster, long host, int at, ByteBuffer buf, int off,
            int len) throws IOException {
        if (host >= file.length() && readsAsZero(oldEntry, guestCluster)) {
            // Fresh space past the end of the file is a hole that reads as zeros already:
            // only the new bytes need writing.
            file.write(host + at, buf.slice(off, len));
            return;
        }
        if (cowBuffer == null) {
            cowBuffer = new byte[clusterSize];
        }
        readClusterByEntry(oldEntry, guestCluster, cowBuffer);
        buf.get(off, cowBuffer, at, len);
        file.write(host, cowBuffer, 0, clusterSize);
    }

    private boolean readsAsZero(long e, long guestCluster) {
        if ((e & COMPRESSED) != 0) {
            return false;
        }
        if ((e & ZERO) != 0) {
            return true;
        }
        return (e & L2E_OFFSET_MASK) == 0 && (img.backing == null || guestCluster >= img.backing.size());
    }

    private void readClusterByEntry(long e, long guestCluster, byte[] dst) throws IOException {
        if ((e & COMPRESSED) != 0) {
            System.arraycopy(map.decompress(e, -1), 0, dst, 0, clusterSize);
        } else if ((e & ZERO) != 0) {
            Arrays.fill(dst, (byte) 0);
        } else if ((e & L2E_OFFSET_MASK) == 0) {
            map.readUnallocated(guestCluster, ByteBuffer.wrap(dst), 0, clusterSize);
        } else {
            file.read(e & L2E_OFFSET_MASK, dst, 0, clusterSize);
        }
    }

    /** Refuses to let guest data overwrite the header or tables (a corrupt L2 entry could point there). */
    private void guardDataWrite(long host, long len) throws IOException {
        if (overlaps(host, len, 0, clusterSize)
                || overlaps(host, len, header.l1TableOffset, (long) map.l1.length * 8)
                || overlaps(host, len, header.refcountTableOffset, (long) header.refcountTableClusters * clusterSize)
                || overlaps(host, len, header.snapshotsOffset, img.snapshotTableBytes)) {
            markCorrupt();
            throw new Qcow2Exception("a guest write would overwrite image metadata; image marked corrupt", host);
        }
    }

    private static boolean overlaps(long a, long alen, long b, long blen) {
        return blen > 0 && alen > 0 && a < b + blen && b < a + alen;
    }

    private void markCorrupt() throws IOException {
        if (header.version >= 3 && file.writable()) {
            img.setIncompatibleFeatures(header.incompatibleFeatures | Qcow2Header.INCOMPAT_CORRUPT);
        }
    }

    void releaseEntryLater(long e) {
        if ((e & COMPRESSED) != 0) {
            int csizeShift = 62 - (clusterBits - 8);
            long csizeMask = (1L << (clusterBits - 8)) - 1;
            long coffset = e & ((1L << csizeShift) - 1);
            long nb = ((e >>> csizeShift) & csizeMask) + 1;
            releaseLater(coffset & ~511L, nb * 512);
        } else if ((e & L2E_OFFSET_MASK) != 0) {
            releaseLater(e & L2E_OFFSET_MASK, clusterSize);
        }
    }

    private void releaseLater(long offset, long length) {
        if (pendingFreeCount + 2 > pendingFree.length) {
            pendingFree = Arrays.copyOf(pendingFree, pendingFree.length * 2);
        }
        pendingFree[pendingFreeCount++] = offset;
        pendingFree[pendingFreeCount++] = length;
    }

    /** Lowers refcounts; a cluster that drops to zero may be reused, so caches forget it. */
    void release(long offset, long length) throws IOException {
        long first = offset >>> clusterBits;
        long last = (offset + length - 1) >>> clusterBits;
        for (long c = first; c <= last; c++) {
            if (img.mode == Qcow2Image.Mode.REPAIR && refcounts.get(c) == 0) {
                continue; // a broken image may reference clusters it never counted
            }
            refcounts.add(c, -1);
            if (refcounts.get(c) == 0) {
                map.forget(c << clusterBits);
            }
        }
    }

    void zeroOrDiscard(long offset, long len, boolean mustZero) throws IOException {
        long end = offset + len;
        long firstFull = (offset + csMask) & ~csMask;
        long lastFull = end & ~csMask;
        if (firstFull >= lastFull) {
            if (mustZero) {
                writeZeroBytes(offset, len);
            }
            return;
        }
        if (mustZero) {
            writeZeroBytes(offset, firstFull - offset);
            writeZeroBytes(lastFull, end - lastFull);
        }
        boolean canZero = header.version >= 3;
        if (!canZero && img.backing != null) {
            if (mustZero) {
                writeZeroBytes(firstFull, lastFull - firstFull);
            }
            return;
        }
        for (long g = firstFull; g < lastFull; g += clusterSize) {
            int l1i = map.l1Index(g);
            if (l1i >= map.l1.length || (map.l1[l1i] & L1E_OFFSET_MASK) == 0) {
                if (img.backing == null || !canZero) {
                    g = map.tableEnd(g) - clusterSize;
                    continue;
                }
            }
            L2Cache.Table t = l2ForWrite(l1i);
            int idx = map.l2Index(g);
            long old = t.entries[idx];
            long now = img.backing != null ? ZERO : 0;
            if (old != now) {
                t.entries[idx] = now;
                l2Cache.markDirty(t);
                releaseEntryLater(old);
            }
        }
    }

    private void writeZeroBytes(long offset, long len) throws IOException {
        byte[] z = new byte[(int) Math.min(len, 1 << 20)];
        while (len > 0) {
            int n = (int) Math.min(len, z.length);
            writeMapped(offset, z, 0, n);
            offset += n;
            len -= n;
        }
    }

    /** See {@link Qcow2Image#flush()}. */
    void flush() throws IOException {
        img.checkOpen();
        if (!file.writable()) {
            return;
        }
        if (refcounts.inShadow()) {
            throw new IllegalStateException("flush inside a shadow transaction would write in place");
        }
        boolean metadata = refcounts.hasDirty() || l2Cache.hasDirty() || l1DirtyTo >= 0;
        if (metadata) {
            refcounts.writeDirty();
            file.force();
            l2Cache.writeDirty(file);
            if (l1DirtyTo >= 0) {
                file.force();
                writeL1Range(l1DirtyFrom, l1DirtyTo + 1);
            }
        }
        file.force();
        if (pendingFreeCount > 0) {
            for (int i = 0; i < pendingFreeCount; i += 2) {
                release(pendingFree[i], pendingFree[i + 1]);
            }
            pendingFreeCount = 0;
            refcounts.writeDirty();
        }
    }

    private void writeL1Range(int from, int to) throws IOException {
        if (to > from) {
            ByteBuffer b = ByteBuffer.allocate((to - from) * 8);
            b.asLongBuffer().put(map.l1, from, to - from);
            file.write(header.l1TableOffset + 8L * from, b);
        }
        l1DirtyFrom = Integer.MAX_VALUE;
        l1DirtyTo = -1;
    }

    /** Moves the active L1 table to fresh clusters with at least {@code entries} entries. */
    void growL1(long entries) throws IOException {
        if (entries > MAX_L1_ENTRIES) {
            throw new Qcow2Exception("L1 table would exceed " + MAX_L1_ENTRIES + " entries", Qcow2Exception.NO_OFFSET);
        }
        flush();
        int newSize = (int) Math.min(MAX_L1_ENTRIES, Math.max(entries, (long) map.l1.length * 3 / 2));
        long[] grown = Arrays.copyOf(map.l1, newSize);
        int clusters = (int) (((long) newSize * 8 + csMask) / clusterSize);
        long off = refcounts.allocate(clusters);
        refcounts.writeDirty();
        ByteBuffer b = ByteBuffer.allocate(clusters * clusterSize);
        b.asLongBuffer().put(grown);
        file.write(off, b);
        file.force();
        file.write(Qcow2Header.OFF_L1, ByteBuffer.allocate(12).putInt(newSize).putLong(off).array(), 0, 12);
        file.force();
        long oldOff = header.l1TableOffset;
        long oldLen = (long) map.l1.length * 8;
        header.l1TableOffset = off;
        header.l1Size = newSize;
        map.l1 = grown;
        if (oldLen > 0) {
            release(oldOff, oldLen);
            refcounts.writeDirty();
        }
    }

    void discardActive(long offset, long len) throws IOException {
        for (long g = offset; g < offset + len; g += clusterSize) {
            int l1i = map.l1Index(g);
            if (l1i >= map.l1.length || (map.l1[l1i] & L1E_OFFSET_MASK) == 0) {
                continue;
            }
            L2Cache.Table t = l2ForWrite(l1i);
            int idx = map.l2Index(g);
            long old = t.entries[idx];
            if (old != 0) {
                t.entries[idx] = 0;
                l2Cache.markDirty(t);
                releaseEntryLater(old);
            }
        }
    }

    /** A transaction wrote the whole active L1 table: nothing of it is waiting for {@link #flush()}. */
    void l1Written() {
        l1DirtyFrom = Integer.MAX_VALUE;
        l1DirtyTo = -1;
    }
}
