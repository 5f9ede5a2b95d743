package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static dev.rewind.qcow2.Qcow2Image.COMPRESSED;
import static dev.rewind.qcow2.Qcow2Image.COPIED;
import static dev.rewind.qcow2.Qcow2Image.L1E_OFFSET_MASK;
import static dev.rewind.qcow2.Qcow2Image.L1E_RESERVED;
import static dev.rewind.qcow2.Qcow2Image.L2E_OFFSET_MASK;
import static dev.rewind.qcow2.Qcow2Image.L2E_STD_RESERVED;
import static dev.rewind.qcow2.Qcow2Image.MAX_L1_ENTRIES;
import static dev.rewind.qcow2.Qcow2Image.ZERO;

/**
 * The read side of a {@link Qcow2Image}: guest offset to L1/L2 entry to host cluster, for the
 * active L1 table and snapshots' tables (cached here), reads through that mapping (compressed,
 * zero, unallocated and backing-file clusters included) and block status.
 */
final class ClusterMap {

    private final Qcow2Image img;
    private final HostFile file;
    private final Qcow2Header header;
    private final int clusterBits;
    private final int clusterSize;
    private final long csMask;
    private final int l2Bits;
    /** The active L1 table; replaced when it grows or a snapshot transaction switches it. */
    long[] l1;
    private final Map<Long, long[]> snapshotL1s = new HashMap<>();
    private final Inflater inflater = new Inflater(true);
    private long decompressedEntry = -1;
    private byte[] decompressed;

    ClusterMap(Qcow2Image img, long[] l1) {
        this.img = img;
        this.file = img.file;
        this.header = img.header;
        this.clusterBits = img.clusterBits;
        this.clusterSize = img.clusterSize;
        this.l2Bits = img.l2Bits;
        this.csMask = clusterSize - 1;
        this.l1 = l1;
    }

    /** L1 index of a guest offset; beyond any possible L1 table it is clamped (reads see "unallocated"). */
    int l1Index(long guest) {
        long i = guest >>> (clusterBits + l2Bits);
        return i > MAX_L1_ENTRIES ? Integer.MAX_VALUE : (int) i;
    }

    /** First guest offset after the range the L1 entry of {@code guest} maps. */
    long tableEnd(long guest) {
        return ((guest >>> (clusterBits + l2Bits)) + 1) << (clusterBits + l2Bits);
    }

    int l2Index(long guest) {
        return (int) ((guest >>> clusterBits) & ((1 << l2Bits) - 1));
    }

    L2Cache.Table loadL2(long l1Entry, long whereL1Entry) throws IOException {
        if ((l1Entry & L1E_RESERVED) != 0) {
            throw new Qcow2Exception("L1 entry 0x" + Long.toHexString(l1Entry) + " has reserved bits set or an "
                    + "unaligned L2 offset", whereL1Entry);
        }
        long off = l1Entry & L1E_OFFSET_MASK;
        if ((off & csMask) != 0) {
            throw new Qcow2Exception("L2 table offset 0x" + Long.toHexString(off) + " is not cluster aligned",
                    whereL1Entry);
        }
        L2Cache.Table t = img.l2Cache.get(off);
        if (t != null) {
            return t;
        }
        if (off < clusterSize || off + clusterSize > file.length()) {
            throw new Qcow2Exception("L2 table offset 0x" + Long.toHexString(off) + " points outside the image",
                    whereL1Entry);
        }
        byte[] raw = new byte[clusterSize];
        file.read(off, raw, 0, clusterSize);
        long[] e = new long[clusterSize / 8];
        ByteBuffer.wrap(raw).asLongBuffer().get(e);
        if (img.l2Cache.fullOfDirty()) {
            img.flush();
        }
        t = new L2Cache.Table(off, e);
        img.l2Cache.put(t);
        return t;
    }

    /** File offset of entry {@code index} of an L1 table (active or a snapshot's), for error reports. */
    long l1EntryOffset(long[] table, int index) {
        if (table == l1) {
            return header.l1TableOffset + 8L * index;
        }
        for (Map.Entry<Long, long[]> e : snapshotL1s.entrySet()) {
            if (e.getValue() == table) {
                return e.getKey() + 8L * index;
            }
        }
        return Qcow2Exception.NO_OFFSET;
    }

    void checkL2Entry(long e, L2Cache.Table t, int idx) throws Qcow2Exception {
        if ((e & COMPRESSED) != 0) {
            if ((e & COPIED) != 0) {
                throw new Qcow2Exception("compressed L2 entry has the COPIED flag", t.offset + 8L * idx);
            }
            return;
        }
        if ((e & L2E_STD_RESERVED) != 0) {
            throw new Qcow2Exception("L2 entry 0x" + Long.toHexString(e) + " has reserved bits set or an unaligned "
                    + "cluster offset", t.offset + 8L * idx);
        }
        long off = e & L2E_OFFSET_MASK;
        if ((off & csMask) != 0) {
            throw new Qcow2Exception("data cluster offset 0x" + Long.toHexString(off) + " is not cluster aligned",
                    t.offset + 8L * idx);
        }
    }

    static boolean isNormal(long e) {
        return (e & COMPRESSED) == 0 && (e & ZERO) == 0 && (e & L2E_OFFSET_MASK) != 0;
    }

    /** Reads into {@code buf} at absolute index {@code off} (heap or direct buffer). */
    void readMapped(long[] table, long offset, ByteBuffer buf, int off, int len) throws IOException {
        if (offset < 0 || offset + len > (1L << 56) || offset + len < offset) {
            throw new Qcow2Exception("guest offset " + offset + " outside the qcow2 address space",
                    Qcow2Exception.NO_OFFSET);
        }
        while (len > 0) {
            int inCluster = (int) (offset & csMask);
            int l1i = l1Index(offset);
            long tableEnd = tableEnd(offset);
            int span = (int) Math.min(len, tableEnd - offset);
            if (l1i >= table.length || (table[l1i] & L1E_OFFSET_MASK) == 0) {
                readUnallocated(offset, buf, off, span);
                offset += span;
                off += span;
                len -= span;
                continue;
            }
            L2Cache.Table t = loadL2(table[l1i], l1EntryOffset(table, l1i));
            int idx = l2Index(offset);
            long e = t.entries[idx];
            checkL2Entry(e, t, idx);
            int n = Math.min(span, clusterSize - inCluster);
            if ((e & COMPRESSED) != 0) {
                byte[] c = decompress(e, t.offset + 8L * idx);
                buf.put(off, c, inCluster, n);
            } else if ((e & ZERO) != 0) {
                while (n < span && idx + 1 < t.entries.length && (t.entries[idx + 1] & ZERO) != 0
                        && (t.entries[idx + 1] & COMPRESSED) == 0) {
                    idx++;
                    n += Math.min(clusterSize, span - n);
                }
                zero(buf, off, n);
            } else if ((e & L2E_OFFSET_MASK) == 0) {
                while (n < span && idx + 1 < t.entries.length && t.entries[idx + 1] == 0) {
                    idx++;
                    n += Math.min(clusterSize, span - n);
                }
                readUnallocated(offset, buf, off, n);
            } else {
                long host = (e & L2E_OFFSET_MASK) + inCluster;
                long next = (e & L2E_OFFSET_MASK) + clusterSize;
                while (n < span && idx + 1 < t.entries.length) {
                    long f = t.entries[idx + 1];
                    if (!isNormal(f) || (f & L2E_OFFSET_MASK) != next || (f & L2E_STD_RESERVED) != 0) {
                        break;
                    }
                    idx++;
                    next += clusterSize;
                    n += Math.min(clusterSize, span - n);
                }
                file.readInto(host, buf.slice(off, n));
            }
            offset += n;
            off += n;
            len -= n;
        }
    }

    void readUnallocated(long offset, ByteBuffer buf, int off, int len) throws IOException {
        long avail = img.backing == null ? 0 : Math.max(0, Math.min(len, img.backing.size() - offset));
        if (avail > 0) {
            img.backing.read(offset, buf.slice(off, (int) avail));
        }
        zero(buf, off + (int) avail, len - (int) avail);
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    private static void zero(ByteBuffer buf, int off, int len) {
        if (buf.hasArray()) {
            Arrays.fill(buf.array(), buf.arrayOffset() + off, buf.arrayOffset() + off + len, (byte) 0);
            return;
        }
        while (len > 0) {
            int n = Math.min(len, ZEROS.length);
            buf.put(off, ZEROS, 0, n);
            off += n;
            len -= n;
        }
    }

    byte[] decompress(long e, long where) throws IOException {
        if (e == decompressedEntry) {
            return decompressed;
        }
        if (header.compressionType() != 0) {
            throw new Qcow2Exception("zstd-compressed clusters are not supported", where);
        }
        int csizeShift = 62 - (clusterBits - 8);
        long csizeMask = (1L << (clusterBits - 8)) - 1;
        long coffset = e & ((1L << csizeShift) - 1);
        long nbSectors = ((e >>> csizeShift) & csizeMask) + 1;
        int csize = (int) (nbSectors * 512 - (coffset & 511));
        if (coffset + csize > file.length() + 512 || coffset < clusterSize) {
            throw new Qcow2Exception("compressed cluster at 0x" + Long.toHexString(coffset) + " lies outside the file",
                    where);
        }
        byte[] in = new byte[csize];
        file.read(coffset, in, 0, csize);
        byte[] out = decompressed != null && decompressed.length == clusterSize ? decompressed : new byte[clusterSize];
        decompressedEntry = -1;
        inflater.reset();
        inflater.setInput(in);
        try {
            int done = 0;
            while (done < clusterSize) {
                int n = inflater.inflate(out, done, clusterSize - done);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                done += n;
            }
            if (done < clusterSize) {
                throw new Qcow2Exception("compressed cluster is truncated (" + done + " of " + clusterSize + " bytes)",
                        where);
            }
        } catch (DataFormatException ex) {
            throw new Qcow2Exception("compressed cluster is not valid deflate data: " + ex.getMessage(), where, ex);
        }
        decompressed = out;
        decompressedEntry = e;
        return out;
    }

    long statusMapped(long[] table, long offset, long max) throws IOException {
        long run = 0;
        int kind = -1; // 0 zero, 1 data
        while (run < max) {
            long pos = offset + run;
            int l1i = l1Index(pos);
            int k;
            if (l1i >= table.length || (table[l1i] & L1E_OFFSET_MASK) == 0) {
                k = img.backing != null && pos < img.backing.size() ? 1 : 0;
                if (kind == -1 || kind == k) {
                    long tableEnd = tableEnd(pos);
                    kind = k;
                    run += Math.min(max - run, tableEnd - pos);
                    continue;
                }
                break;
            }
            L2Cache.Table t = loadL2(table[l1i], l1EntryOffset(table, l1i));
            long e = t.entries[l2Index(pos)];
            checkL2Entry(e, t, l2Index(pos));
            if ((e & COMPRESSED) != 0) {
                k = 1;
            } else if ((e & ZERO) != 0) {
                k = 0;
            } else if ((e & L2E_OFFSET_MASK) == 0) {
                k = img.backing != null && pos < img.backing.size() ? 1 : 0;
            } else {
                k = 1;
            }
            if (kind != -1 && kind != k) {
                break;
            }
            kind = k;
            run += Math.min(max - run, clusterSize - (pos & csMask));
        }
        return kind == 0 ? -run : run;
    }

    long[] snapshotL1(Snapshot s) throws IOException {
        long[] t = snapshotL1s.get(s.l1TableOffset);
        if (t != null && t.length == s.l1Size) {
            return t;
        }
        if (s.l1Size < 0 || s.l1Size > MAX_L1_ENTRIES) {
            throw new Qcow2Exception("snapshot '" + s.id() + "' L1 table is too large", header.snapshotsOffset);
        }
        if ((s.l1TableOffset & csMask) != 0) {
            throw new Qcow2Exception("snapshot '" + s.id() + "' L1 table is not cluster aligned", header.snapshotsOffset);
        }
        t = new long[s.l1Size];
        if (s.l1Size > 0) {
            byte[] raw = file.readStrict(s.l1TableOffset, s.l1Size * 8, "snapshot L1 table");
            ByteBuffer.wrap(raw).asLongBuffer().get(t);
        }
        snapshotL1s.put(s.l1TableOffset, t);
        return t;
    }

    /** A cluster dropped to refcount zero and may be reused: forget what was cached from it. */
    void forget(long offset) {
        img.l2Cache.remove(offset);
        decompressedEntry = -1;
    }

    /** After a repair or an abandoned transaction rewrote metadata: reload what is cached. */
    void reload() throws IOException {
        img.l2Cache.clear();
        snapshotL1s.clear();
        decompressedEntry = -1;
        byte[] raw = file.readStrict(header.l1TableOffset, header.l1Size * 8, "L1 table");
        l1 = new long[header.l1Size];
        ByteBuffer.wrap(raw).asLongBuffer().get(l1);
    }

    void remember(long l1Offset, long[] table) {
        snapshotL1s.put(l1Offset, table);
    }

    void forgetSnapshotL1(long l1Offset) {
        snapshotL1s.remove(l1Offset);
    }

    void close() {
        inflater.end();
    }
}
