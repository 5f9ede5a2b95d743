package dev.rewind.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Host cluster reference counts: the refcount table, a write-back cache of refcount blocks,
 * and the cluster allocator. Any refcount width from 1 to 64 bits (refcount_order 0..6).
 * Crash rule: callers write these blocks ({@link #writeDirty}) before any metadata that
 * relies on a raised count, and lower counts only after the last on-disk reference is gone.
 * Changes that must land all at once (snapshot operations) use a shadow transaction instead:
 * {@link #beginShadow}, counts changed in memory only, {@link #writeShadow} to fresh clusters,
 * header switch by the caller, {@link #endShadow}.
 */
final class RefcountTable {

    private static final long REFT_OFFSET_MASK = 0xFFFFFFFFFFFFFE00L;

    private final HostFile file;
    private final Qcow2Header header;
    private final int clusterBits;
    private final int clusterSize;
    private final int order;
    private final int bits;
    private final long maxRefcount;
    /** log2 of refcount entries per block. */
    private final int blockBits;

    private long[] table;
    private final Map<Long, byte[]> blocks = new HashMap<>();
    private final List<Long> dirtyBlocks = new ArrayList<>();
    private final java.util.Set<Long> dirtySet = new java.util.HashSet<>();
    /** Lowest cluster index that may be free; allocation searches from here. */
    private long freeSearchStart;
    /** In {@link #committed}: a block the on-disk structure does not have. */
    private static final byte[] NO_BLOCK = new byte[0];
    /**
     * During a shadow transaction, the on-disk contents of every block changed since it began
     * (so allocation can avoid clusters the old structure still counts); null otherwise.
     */
    private Map<Long, byte[]> committed;
    private long shadowSearchStart;

    /** Refcount table entries found unusable (tolerant mode only); treated as missing blocks. */
    final List<Integer> badEntries = new ArrayList<>();

    RefcountTable(HostFile file, Qcow2Header header) throws IOException {
        this(file, header, false);
    }

    /** With {@code tolerant}, bad table entries are recorded and treated as missing (for check/repair). */
    RefcountTable(HostFile file, Qcow2Header header, boolean tolerant) throws IOException {
        this.file = file;
        this.header = header;
        this.clusterBits = header.clusterBits;
        this.clusterSize = 1 << clusterBits;
        this.order = header.refcountOrder;
        this.bits = 1 << order;
        this.maxRefcount = bits == 64 ? Long.MAX_VALUE : (1L << bits) - 1;
        this.blockBits = clusterBits + 3 - order;
        int entries = header.refcountTableClusters * (clusterSize / 8);
        byte[] raw = file.readStrict(header.refcountTableOffset, entries * 8, "refcount table");
        table = new long[entries];
        ByteBuffer.wrap(raw).asLongBuffer().get(table);
        for (int i = 0; i < entries; i++) {
            long off = table[i] & REFT_OFFSET_MASK;
            boolean bad = (table[i] & 0x1FF) != 0 || (off & (clusterSize - 1)) != 0 || off < 0;
            if (tolerant && (bad || off + clusterSize > file.length())) {
                badEntries.add(i);
                table[i] = 0;
            } else if (bad) {
                throw new Qcow2Exception("refcount table entry " + i + " is not a cluster-aligned offset",
                        header.refcountTableOffset + 8L * i);
            }
        }
    }

    long maxRefcount() {
        return maxRefcount;
    }

    int entriesPerBlock() {
        return 1 << blockBits;
    }

    long[] tableEntries() {
        return table;
    }

    /** Clusters covered by the refcount table. */
    long coveredClusters() {
        return (long) table.length << blockBits;
    }

    private byte[] block(long index) throws IOException {
        if (index >= table.length) {
            return null;
        }
        byte[] b = blocks.get(index);
        if (b != null) {
            return b;
        }
        long off = table[(int) index] & REFT_OFFSET_MASK;
        if (off == 0) {
            return null;
        }
        if (off + clusterSize > file.length()) {
            throw new Qcow2Exception("refcount block " + index + " at 0x" + Long.toHexString(off)
                    + " lies beyond the end of the file", header.refcountTableOffset + 8 * index);
        }
        b = new byte[clusterSize];
        file.read(off, b, 0, clusterSize);
        blocks.put(index, b);
        return b;
    }

    long get(long cluster) throws IOException {
        byte[] b = block(cluster >>> blockBits);
        if (b == null) {
            return 0;
        }
        return decode(b, (int) (cluster & ((1 << blockBits) - 1)));
    }

    private long decode(byte[] b, int i) {
        switch (order) {
            case 4: return ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
            case 5: return ByteBuffer.wrap(b).getInt(4 * i) & 0xFFFFFFFFL;
            case 6: return ByteBuffer.wrap(b).getLong(8 * i);
            case 3: return b[i] & 0xFF;
            default: {
                int bit = i * bits;
                return ((b[bit >>> 3] & 0xFF) >>> (bit & 7)) & ((1 << bits) - 1);
            }
        }
    }

    private void encode(byte[] b, int i, long v) {
        switch (order) {
            case 4 -> { b[2 * i] = (byte) (v >>> 8); b[2 * i + 1] = (byte) v; }
            case 5 -> ByteBuffer.wrap(b).putInt(4 * i, (int) v);
            case 6 -> ByteBuffer.wrap(b).putLong(8 * i, v);
            case 3 -> b[i] = (byte) v;
            default -> {
                int bit = i * bits;
                int mask = ((1 << bits) - 1) << (bit & 7);
                b[bit >>> 3] = (byte) ((b[bit >>> 3] & ~mask) | (((int) v << (bit & 7)) & mask));
            }
        }
    }

    /** Sets a refcount in the cache; the block must exist (see {@link #ensureBlock}). */
    void set(long cluster, long value) throws IOException {
        if (value < 0 || value > maxRefcount) {
            throw new Qcow2Exception("refcount of cluster " + cluster + " would overflow (" + value + " > "
                    + maxRefcount + ")", cluster << clusterBits);
        }
        long index = cluster >>> blockBits;
        byte[] b = block(index);
        if (b == null) {
            if (value == 0) {
                return;
            }
            if (committed != null) {
                b = newShadowBlock(index);
            } else {
                ensureBlock(cluster, cluster);
                b = block(index);
            }
        }
        if (committed != null && !committed.containsKey(index)) {
            committed.put(index, b.clone());
        }
        encode(b, (int) (cluster & ((1 << blockBits) - 1)), value);
        markDirty(index);
        if (value == 0 && cluster < freeSearchStart) {
            freeSearchStart = cluster;
        }
    }

    void add(long cluster, long delta) throws IOException {
        long v = get(cluster) + delta;
        if (v < 0) {
            throw new Qcow2Exception("refcount of cluster " + cluster + " would drop below zero", cluster << clusterBits);
        }
        set(cluster, v);
    }

    /** Adds {@code delta} to every cluster touched by the byte range [offset, offset+length). */
    void addRange(long offset, long length, long delta) throws IOException {
        if (length <= 0) {
            return;
        }
        long first = offset >>> clusterBits;
        long last = (offset + length - 1) >>> clusterBits;
        for (long c = first; c <= last; c++) {
            add(c, delta);
        }
    }

    private void markDirty(long index) {
        if (dirtySet.add(index)) {
            dirtyBlocks.add(index);
        }
    }

    boolean hasDirty() {
        return !dirtyBlocks.isEmpty();
    }

    /** Writes every changed refcount block (no flush; the caller orders and forces). */
    void writeDirty() throws IOException {
        if (committed != null) {
            throw new IllegalStateException("refcount blocks are written by writeShadow during a shadow transaction");
        }
        for (long index : dirtyBlocks) {
            long off = table[(int) index] & REFT_OFFSET_MASK;
            file.write(off, blocks.get(index), 0, clusterSize);
        }
        dirtyBlocks.clear();
        dirtySet.clear();
    }

    /**
     * Allocates {@code n} contiguous clusters with refcount 1 and returns the host offset of
     * the first. New refcount blocks describe themselves; the refcount table grows into fresh
     * space and is switched in the header with one write.
     */
    long allocate(int n) throws IOException {
        if (n <= 0) {
            throw new IllegalArgumentException("n=" + n);
        }
        if (committed != null) {
            return allocateShadow(n);
        }
        restart:
        for (;;) {
            long start = freeSearchStart;
            long c = start;
            int run = 0;
            while (run < n) {
                long index = c >>> blockBits;
                if (block(index) == null) {
                    ensureBlock(c, -1);
                    continue restart;
                }
                if (get(c) == 0) {
                    run++;
                } else {
                    run = 0;
                    start = c + 1;
                }
                c++;
            }
            if ((start + n) << clusterBits >= (1L << 56) || start + n < 0) {
                throw new Qcow2Exception("image file would exceed the 2^56 byte qcow2 limit", Qcow2Exception.NO_OFFSET);
            }
            for (long i = start; i < start + n; i++) {
                set(i, 1);
            }
            if (start == freeSearchStart || n == 1) {
                freeSearchStart = start + n;
            }
            return start << clusterBits;
        }
    }

    /**
     * Creates the refcount block covering {@code cluster}. It goes into the range it describes
     * (everything a missing block covers counts as free), avoiding cluster {@code avoid}.
     */
    private void ensureBlock(long cluster, long avoid) throws IOException {
        long index = cluster >>> blockBits;
        if (index < table.length) {
            long at = index << blockBits;
            if (at == avoid) {
                at++;
            }
            byte[] b = new byte[clusterSize];
            encode(b, (int) (at & ((1 << blockBits) - 1)), 1);
            long off = at << clusterBits;
            file.write(off, b, 0, clusterSize);
            file.force();
            table[(int) index] = off;
            file.write(header.refcountTableOffset + 8 * index, ByteBuffer.allocate(8).putLong(0, off).array(), 0, 8);
            blocks.put(index, b);
            return;
        }
        growTable(index);
    }

    /** Moves the refcount table to fresh space large enough to hold entry {@code index}. */
    private void growTable(long index) throws IOException {
        long blockStart = index << blockBits;
        long needEntries = index + 1;
        long newEntries = Math.max(needEntries, table.length + table.length / 2);
        int entriesPerCluster = clusterSize / 8;
        long newClusters = (newEntries + entriesPerCluster - 1) / entriesPerCluster;
        if (newClusters * clusterSize > Qcow2Image.MAX_REFTABLE_BYTES) {
            throw new Qcow2Exception("refcount table would exceed " + Qcow2Image.MAX_REFTABLE_BYTES + " bytes",
                    Qcow2Exception.NO_OFFSET);
        }
        if (newClusters + 1 > (1L << blockBits)) {
            throw new Qcow2Exception("refcount table does not fit in one refcount block's range", Qcow2Exception.NO_OFFSET);
        }
        // Everything from blockStart on is free: block at blockStart, table right after it,
        // all described by the new block itself.
        byte[] b = new byte[clusterSize];
        for (int i = 0; i <= newClusters; i++) {
            encode(b, i, 1);
        }
        long blockOff = blockStart << clusterBits;
        long tableOff = blockOff + clusterSize;
        long[] grown = java.util.Arrays.copyOf(table, (int) (newClusters * entriesPerCluster));
        grown[(int) index] = blockOff;
        ByteBuffer tb = ByteBuffer.allocate((int) (newClusters * clusterSize));
        tb.asLongBuffer().put(grown);
        file.write(blockOff, b, 0, clusterSize);
        file.write(tableOff, tb.array(), 0, tb.capacity());
        file.force();
        ByteBuffer hb = ByteBuffer.allocate(12).putLong(tableOff).putInt((int) newClusters);
        file.write(Qcow2Header.OFF_REFTABLE, hb.array(), 0, 12);
        file.force();
        long oldOff = header.refcountTableOffset;
        int oldClusters = header.refcountTableClusters;
        header.refcountTableOffset = tableOff;
        header.refcountTableClusters = (int) newClusters;
        table = grown;
        blocks.put(index, b);
        // The old table is no longer referenced by the header: free it.
        for (int i = 0; i < oldClusters; i++) {
            add((oldOff >>> clusterBits) + i, -1);
        }
    }

    // ---------------------------------------------------------------- shadow transactions

    /**
     * Starts a shadow transaction: counts change in memory only, and allocation hands out
     * only clusters that are free in memory and in the on-disk structure, so nothing the
     * current header reaches is overwritten. Needs every earlier change written.
     */
    void beginShadow() {
        if (hasDirty() || committed != null) {
            throw new IllegalStateException("refcount blocks must be written before a shadow transaction");
        }
        committed = new HashMap<>();
        shadowSearchStart = freeSearchStart;
    }

    boolean inShadow() {
        return committed != null;
    }

    /** The count of {@code cluster} in the on-disk structure (as when the transaction began). */
    private long committedGet(long cluster) throws IOException {
        byte[] b = committed.get(cluster >>> blockBits);
        if (b == null) {
            return get(cluster);
        }
        return b == NO_BLOCK ? 0 : decode(b, (int) (cluster & ((1 << blockBits) - 1)));
    }

    private long allocateShadow(int n) throws IOException {
        long c = shadowSearchStart;
        long firstFree = -1;
        long start = c;
        int run = 0;
        while (run < n) {
            if (get(c) == 0 && committedGet(c) == 0) {
                if (firstFree < 0) {
                    firstFree = c;
                }
                if (run == 0) {
                    start = c;
                }
                run++;
            } else {
                run = 0;
            }
            c++;
        }
        if ((start + n) << clusterBits >= (1L << 56) || start + n < 0) {
            throw new Qcow2Exception("image file would exceed the 2^56 byte qcow2 limit", Qcow2Exception.NO_OFFSET);
        }
        for (long i = start; i < start + n; i++) {
            set(i, 1);
        }
        // Clusters freed in this transaction stay busy on disk until the switch: no need to revisit them.
        shadowSearchStart = start == firstFree ? start + n : firstFree;
        return start << clusterBits;
    }

    /** A zeroed block that gets its place in {@link #writeShadow}; the table grows in memory if needed. */
    private byte[] newShadowBlock(long index) throws Qcow2Exception {
        if (index >= table.length) {
            int perCluster = clusterSize / 8;
            long entries = (index / perCluster + 1) * perCluster;
            if (entries * 8 > Qcow2Image.MAX_REFTABLE_BYTES) {
                throw new Qcow2Exception("refcount table would exceed " + Qcow2Image.MAX_REFTABLE_BYTES + " bytes",
                        Qcow2Exception.NO_OFFSET);
            }
            table = java.util.Arrays.copyOf(table, (int) entries);
        }
        byte[] b = new byte[clusterSize];
        blocks.put(index, b);
        committed.put(index, NO_BLOCK);
        return b;
    }

    /** Where {@link #writeShadow} put the new refcount table. */
    record Location(long offset, int clusters) { }

    /**
     * Writes the transaction's result as a new structure: every changed block to a fresh
     * cluster and a new table, with the counts of those clusters included and the old table
     * and the replaced blocks counted 0 (iterated until nothing moves any more). Nothing the
     * old header reaches is written; the caller forces, switches the header, then calls
     * {@link #endShadow}.
     */
    Location writeShadow() throws IOException {
        for (int i = 0; i < header.refcountTableClusters; i++) {
            add((header.refcountTableOffset >>> clusterBits) + i, -1);
        }
        int perCluster = clusterSize / 8;
        HashSet<Long> moved = new HashSet<>();
        long tableOff = 0;
        int tableClusters = 0;
        for (boolean changed = true; changed;) {
            changed = false;
            for (long index : new ArrayList<>(dirtyBlocks)) {
                if (moved.add(index)) {
                    long old = table[(int) index] & REFT_OFFSET_MASK;
                    table[(int) index] = allocate(1);
                    if (old != 0) {
                        add(old >>> clusterBits, -1);
                    }
                    changed = true;
                }
            }
            int need = (table.length + perCluster - 1) / perCluster;
            if (need != tableClusters) {
                for (int i = 0; i < tableClusters; i++) {
                    add((tableOff >>> clusterBits) + i, -1);
                }
                tableOff = allocate(need);
                tableClusters = need;
                changed = true;
            }
        }
        for (long index : dirtyBlocks) {
            file.write(table[(int) index], blocks.get(index), 0, clusterSize);
        }
        ByteBuffer tb = ByteBuffer.allocate(tableClusters * clusterSize);
        tb.asLongBuffer().put(table);
        file.write(tableOff, tb);
        return new Location(tableOff, tableClusters);
    }

    /** After the header points at {@code loc}: memory and disk agree again. */
    void endShadow(Location loc) {
        header.refcountTableOffset = loc.offset();
        header.refcountTableClusters = loc.clusters();
        dirtyBlocks.clear();
        dirtySet.clear();
        committed = null;
    }

    /** Forgets a transaction that was not switched in: back to the on-disk structure. */
    void abandonShadow() throws IOException {
        committed = null;
        reload();
    }

    /** True if the refcount of {@code cluster} has a block to live in. */
    boolean hasBlockFor(long cluster) {
        long index = cluster >>> blockBits;
        return index < table.length && (table[(int) index] & REFT_OFFSET_MASK) != 0;
    }

    /**
     * Writes a complete new refcount structure holding {@code counts} (one per cluster from 0)
     * right after those clusters, describing itself, then switches the header to it. Used by
     * repair when the old structure cannot hold the right counts (QEMU's "Rebuilding refcount
     * structure"); the old structure's clusters are simply no longer counted.
     */
    void rebuild(long[] counts) throws IOException {
        long first = counts.length;
        int perCluster = clusterSize / 8;
        long nb = 1;
        long nt = 1;
        for (int i = 0; i < 16; i++) {
            long total = first + nb + nt;
            nb = (total + (1L << blockBits) - 1) >>> blockBits;
            nt = (nb + perCluster - 1) / perCluster;
        }
        long total = first + nb + nt;
        if (nt * clusterSize > Qcow2Image.MAX_REFTABLE_BYTES) {
            throw new Qcow2Exception("image too large to rebuild its refcount table", Qcow2Exception.NO_OFFSET);
        }
        long[] newTable = new long[(int) (nt * perCluster)];
        for (long b = 0; b < nb; b++) {
            byte[] block = new byte[clusterSize];
            long from = b << blockBits;
            long to = Math.min(total, from + (1L << blockBits));
            for (long c = from; c < to; c++) {
                long v = c < first ? counts[(int) c] : 1;
                if (v > maxRefcount) {
                    throw new Qcow2Exception("refcount of cluster " + c + " exceeds " + maxRefcount, c << clusterBits);
                }
                encode(block, (int) (c - from), v);
            }
            long off = (first + b) << clusterBits;
            newTable[(int) b] = off;
            file.write(off, block, 0, clusterSize);
        }
        long tableOff = (first + nb) << clusterBits;
        ByteBuffer tb = ByteBuffer.allocate((int) (nt * clusterSize));
        tb.asLongBuffer().put(newTable);
        file.write(tableOff, tb);
        file.force();
        file.write(Qcow2Header.OFF_REFTABLE, ByteBuffer.allocate(12).putLong(tableOff).putInt((int) nt).array(), 0, 12);
        file.force();
        header.refcountTableOffset = tableOff;
        header.refcountTableClusters = (int) nt;
        badEntries.clear();
        reload();
    }

    /** Forgets cached blocks (after a repair rewrote them behind our back). */
    void reload() throws IOException {
        blocks.clear();
        dirtyBlocks.clear();
        dirtySet.clear();
        int entries = header.refcountTableClusters * (clusterSize / 8);
        byte[] raw = file.readStrict(header.refcountTableOffset, entries * 8, "refcount table");
        table = new long[entries];
        ByteBuffer.wrap(raw).asLongBuffer().get(table);
        freeSearchStart = 0;
    }

    long blockOffset(long index) {
        return index < table.length ? table[(int) index] & REFT_OFFSET_MASK : 0;
    }

    int blockBits() {
        return blockBits;
    }
}
