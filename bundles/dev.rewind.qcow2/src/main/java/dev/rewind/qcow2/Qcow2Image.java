package dev.rewind.qcow2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A qcow2 v2/v3 image (QEMU docs/interop/qcow2.txt) used as a random-access disk, with
 * internal snapshots and their VM state.
 *
 * <p>Crash safety follows QEMU's invariant: on-disk refcounts are never lower than the
 * on-disk references. Guest data goes straight to the file; L2/L1 changes and refcount
 * blocks are cached and written by {@link #flush()} in the order refcounts, (force), L2,
 * (force), L1, (force), and only then are replaced clusters released. Snapshot operations,
 * which change refcounts and COPIED flags together, are shadow transactions instead: all new
 * metadata goes to clusters the on-disk image does not use and one header write switches to
 * it. A process killed at any point therefore leaves at worst leaked clusters plus the writes
 * since the last flush.
 *
 * <p>Not thread-safe: one image object belongs to one thread (open several read-only
 * objects on the same file to read in parallel, as {@link ImageConverter} does).
 */
public final class Qcow2Image implements DiskImage {

    static final int MAX_L1_ENTRIES = 32 * 1024 * 1024 / 8;
    static final long MAX_REFTABLE_BYTES = 8L * 1024 * 1024;
    static final long L1E_OFFSET_MASK = 0x00FFFFFFFFFFFE00L;
    static final long L1E_RESERVED = 0x7F000000000001FFL;
    static final long L2E_OFFSET_MASK = 0x00FFFFFFFFFFFE00L;
    static final long L2E_STD_RESERVED = 0x3F000000000001FEL;
    static final long COPIED = 1L << 63;
    static final long COMPRESSED = 1L << 62;
    static final long ZERO = 1L;
    private static final int MAX_BACKING_DEPTH = 16;
    /** Memory for cached L2 tables; tests shrink it to exercise eviction. */
    static int l2CacheBytes = 32 * 1024 * 1024;

    /** How an image is opened. */
    public enum Mode { READ_ONLY, READ_WRITE, CHECK, REPAIR }

    private final Path path;
    final HostFile file;
    final Qcow2Header header;
    final Mode mode;
    final int clusterBits;
    final int clusterSize;
    final int l2Bits;
    final RefcountTable refcounts;
    final L2Cache l2Cache;
    SnapshotTable snapshots;
    /** Bytes the snapshot table occupies on disk (as parsed). */
    long snapshotTableBytes;
    final DiskImage backing;
    boolean closed;
    /** The three parts behind this front door: reading through the mapping, writing, snapshots. */
    final ClusterMap map;
    private final ClusterWriter writer;
    private final SnapshotTransactions transactions;

    private Qcow2Image(Path path, HostFile file, Qcow2Header header, Mode mode, int depth) throws IOException {
        this.path = path;
        this.file = file;
        this.header = header;
        this.mode = mode;
        this.clusterBits = header.clusterBits;
        this.clusterSize = 1 << clusterBits;
        this.l2Bits = clusterBits - 3;
        byte[] raw = file.readStrict(header.l1TableOffset, header.l1Size * 8, "L1 table");
        long[] l1 = new long[header.l1Size];
        ByteBuffer.wrap(raw).asLongBuffer().get(l1);
        boolean tolerant = mode == Mode.CHECK || mode == Mode.REPAIR;
        this.refcounts = new RefcountTable(file, header, tolerant);
        this.l2Cache = new L2Cache(l2CacheBytes / clusterSize);
        this.snapshots = SnapshotTable.read(file, header.snapshotsOffset, header.nbSnapshots, header.version,
                header.size, tolerant);
        this.snapshotTableBytes = tableBytesOnDisk(header.snapshotsOffset, header.nbSnapshots);
        this.backing = header.backingFile == null ? null : openBacking(depth);
        this.map = new ClusterMap(this, l1);
        this.writer = new ClusterWriter(this, map);
        this.transactions = new SnapshotTransactions(this, map, writer);
    }

    // ---------------------------------------------------------------- open / create

    /** Opens an image for reading and writing. */
    public static Qcow2Image open(Path path) throws IOException {
        return open(path, Mode.READ_WRITE);
    }

    public static Qcow2Image openReadOnly(Path path) throws IOException {
        return open(path, Mode.READ_ONLY);
    }

    /**
     * Opens an image. {@link Mode#CHECK} and {@link Mode#REPAIR} tolerate snapshot-table
     * problems so that {@link ImageCheck} can report or fix them.
     */
    public static Qcow2Image open(Path path, Mode mode) throws IOException {
        return open(path, mode, 0);
    }

    private static Qcow2Image open(Path path, Mode mode, int depth) throws IOException {
        boolean writable = mode == Mode.READ_WRITE || mode == Mode.REPAIR;
        HostFile file = new HostFile(path, writable);
        Qcow2Image img = null;
        try {
            int headLen = (int) Math.min(file.length(), 2 * 1024 * 1024);
            byte[] head = new byte[headLen];
            file.read(0, head, 0, headLen);
            Qcow2Header header = Qcow2Header.parse(head, file.length());
            if (writable && mode != Mode.REPAIR && (header.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0) {
                throw new Qcow2Exception("image is marked corrupt and cannot be opened for writing; "
                        + "open it read-only or repair it with 'check -r all'", Qcow2Header.OFF_INCOMPAT);
            }
            img = new Qcow2Image(path, file, header, mode, depth);
            if (mode == Mode.READ_WRITE) {
                img.prepareForWriting();
            }
            return img;
        } catch (IOException | RuntimeException e) {
            if (img != null) {
                img.closeQuietly();
            } else {
                file.close();
            }
            if (e instanceof Qcow2Exception q) {
                throw q;
            }
            if (e instanceof RuntimeException) {
                throw new Qcow2Exception("malformed image: " + e, 0, e);
            }
            throw e;
        }
    }

    /** Writable open: repair a dirty image as QEMU does, and drop autoclear features we do not maintain. */
    private void prepareForWriting() throws IOException {
        if ((header.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0) {
            ImageCheck.Result r = new ImageCheck(this).run(ImageCheck.Repair.ALL, null);
            if (r.corruptions() > 0 || r.checkErrors() > 0) {
                throw new Qcow2Exception("could not repair dirty image", Qcow2Header.OFF_INCOMPAT);
            }
            setIncompatibleFeatures(header.incompatibleFeatures & ~Qcow2Header.INCOMPAT_DIRTY);
        }
        if (header.autoclearFeatures != 0 && header.version >= 3) {
            // We keep neither bitmaps nor a raw data file consistent, so per the spec we clear the bits.
            header.autoclearFeatures = 0;
            file.write(88, new byte[8], 0, 8);
            file.force();
        }
    }

    /** Options for {@link #create}. */
    public record CreateOptions(int clusterSize, int version, String backingFile, String backingFormat) {
        public static CreateOptions defaults() {
            return new CreateOptions(65536, 3, null, null);
        }

        public CreateOptions withClusterSize(int cs) {
            return new CreateOptions(cs, version, backingFile, backingFormat);
        }

        public CreateOptions withVersion(int v) {
            return new CreateOptions(clusterSize, v, backingFile, backingFormat);
        }

        public CreateOptions withBacking(String file, String format) {
            return new CreateOptions(clusterSize, version, file, format);
        }
    }

    /** Creates an empty image, laid out as qemu-img does (header, reftable, refblock, L1). */
    public static Qcow2Image create(Path path, long size, CreateOptions opts) throws IOException {
        int cs = opts.clusterSize();
        if (Integer.bitCount(cs) != 1 || cs < 512 || cs > 2 * 1024 * 1024) {
            throw new Qcow2Exception("cluster size must be a power of two between 512 and 2M", Qcow2Exception.NO_OFFSET);
        }
        if (opts.version() != 2 && opts.version() != 3) {
            throw new Qcow2Exception("compat must be 0.10 (v2) or 1.1 (v3)", Qcow2Exception.NO_OFFSET);
        }
        if (size < 0 || size > (1L << 55)) {
            throw new Qcow2Exception("image size out of range: " + size, Qcow2Exception.NO_OFFSET);
        }
        int cb = Integer.numberOfTrailingZeros(cs);
        long l1Entries = Math.max(1, sizeToL1(size, cb, cb - 3));
        if (l1Entries > MAX_L1_ENTRIES) {
            throw new Qcow2Exception("image too large for cluster size " + cs, Qcow2Exception.NO_OFFSET);
        }
        long l1Clusters = (l1Entries * 8 + cs - 1) / cs;
        long perBlock = (long) cs * 8 / 16;
        long reftableClusters = 1;
        long blocks = 1;
        for (int i = 0; i < 8; i++) {
            long total = 1 + reftableClusters + blocks + l1Clusters;
            blocks = (total + perBlock - 1) / perBlock;
            reftableClusters = Math.max(1, (blocks * 8 + cs - 1) / cs);
        }
        long total = 1 + reftableClusters + blocks + l1Clusters;
        Qcow2Header h = new Qcow2Header();
        h.version = opts.version();
        h.clusterBits = cb;
        h.size = size;
        h.l1Size = (int) l1Entries;
        h.refcountTableOffset = (long) cs;
        h.refcountTableClusters = (int) reftableClusters;
        h.l1TableOffset = (1 + reftableClusters + blocks) * cs;
        h.refcountOrder = 4;
        h.headerLength = opts.version() == 3 ? Qcow2Header.V3_LENGTH : Qcow2Header.V2_LENGTH;
        h.additionalFields = opts.version() == 3 ? new byte[Qcow2Header.V3_LENGTH - Qcow2Header.V3_MIN_LENGTH] : new byte[0];
        h.backingFile = opts.backingFile();
        h.backingFormat = opts.backingFile() == null ? null : opts.backingFormat();
        byte[] cluster0 = h.encode();
        ByteBuffer meta = ByteBuffer.allocate((int) ((reftableClusters + blocks) * cs));
        for (long b = 0; b < blocks; b++) {
            meta.putLong((int) (b * 8), (1 + reftableClusters + b) * cs);
        }
        for (long c = 0; c < total; c++) {
            long blockIndex = c / perBlock;
            int pos = (int) ((reftableClusters + blockIndex) * cs + (c % perBlock) * 2);
            meta.putShort(pos, (short) 1);
        }
        try (HostFile f = HostFile.create(path)) {
            f.write(0, cluster0, 0, cs);
            f.write(cs, meta.array(), 0, meta.capacity());
            // Like qemu-img: the file ends with the last L1 entry, not the cluster.
            f.extendTo(h.l1TableOffset + l1Entries * 8);
            f.force();
        }
        return open(path, Mode.READ_WRITE);
    }

    static long sizeToL1(long size, int clusterBits, int l2Bits) {
        int shift = clusterBits + l2Bits;
        return (size + (1L << shift) - 1) >>> shift;
    }

    private DiskImage openBacking(int depth) throws IOException {
        if (depth >= MAX_BACKING_DEPTH) {
            throw new Qcow2Exception("backing chain deeper than " + MAX_BACKING_DEPTH + " (a loop?)", 8);
        }
        Path p = Path.of(header.backingFile);
        if (!p.isAbsolute()) {
            Path dir = path.toAbsolutePath().getParent();
            p = dir == null ? p : dir.resolve(p);
        }
        if (!Files.isRegularFile(p)) {
            throw new Qcow2Exception("backing file '" + header.backingFile + "' not found", 8);
        }
        String fmt = header.backingFormat;
        if (fmt == null) {
            fmt = probeFormat(p);
        }
        try {
            switch (fmt) {
                case "qcow2": return open(p, Mode.READ_ONLY, depth + 1);
                case "raw": return RawImage.open(p);
                default: throw new Qcow2Exception("unsupported backing file format '" + fmt + "'", 8);
            }
        } catch (Qcow2Exception e) {
            throw new Qcow2Exception("backing file '" + header.backingFile + "': " + e.getMessage(), 8, e);
        }
    }

    /** "qcow2" if the file starts with the qcow2 magic, otherwise "raw". */
    public static String probeFormat(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            byte[] m = in.readNBytes(4);
            return m.length == 4 && ByteBuffer.wrap(m).getInt() == Qcow2Header.MAGIC ? "qcow2" : "raw";
        }
    }

    /** Opens any supported disk image read-only (qcow2 or raw). */
    public static DiskImage openAny(Path p) throws IOException {
        return probeFormat(p).equals("qcow2") ? openReadOnly(p) : RawImage.open(p);
    }

    private long tableBytesOnDisk(long offset, int count) throws IOException {
        long pos = offset;
        for (int i = 0; i < count; i++) {
            ByteBuffer h = ByteBuffer.wrap(file.readStrict(pos, 40, "snapshot table entry"));
            long len = 40 + Integer.toUnsignedLong(h.getInt(36)) + Short.toUnsignedInt(h.getShort(12))
                    + Short.toUnsignedInt(h.getShort(14));
            pos += (len + 7) & ~7L;
        }
        return pos - offset;
    }

    // ---------------------------------------------------------------- properties

    public Path path() { return path; }
    public Qcow2Header header() { return header; }
    @Override public long size() { return header.size; }
    public int clusterSize() { return clusterSize; }
    public int version() { return header.version; }
    public boolean isReadOnly() { return !file.writable(); }
    public boolean isCorrupt() { return (header.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0; }
    public boolean isDirty() { return (header.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0; }
    public DiskImage backing() { return backing; }
    public long fileLength() { return file.length(); }

    /** Guest offset where QEMU stores VM state: the first L1-entry boundary at or after the disk end. */
    public long vmStateOffset() {
        return sizeToL1(header.size, clusterBits, l2Bits) << (clusterBits + l2Bits);
    }

    /**
     * With false, the image never forces data to stable storage (QEMU's cache=unsafe, which
     * qemu-img convert uses for its output). Writes keep their order, so a killed process
     * still leaves a consistent image; a power failure may not.
     */
    public void setDurable(boolean durable) {
        file.setDurable(durable);
    }

    // ---------------------------------------------------------------- reading

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        checkOpen();
        checkRange(offset, len, header.size);
        map.readMapped(map.l1, offset, ByteBuffer.wrap(buf), off, len);
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its position. */
    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkOpen();
        int n = dst.remaining();
        checkRange(offset, n, header.size);
        map.readMapped(map.l1, offset, dst, dst.position(), n);
        dst.position(dst.position() + n);
    }

    static void checkRange(long offset, long len, long limit) throws Qcow2Exception {
        if (offset < 0 || len < 0 || offset + len > limit || offset + len < 0) {
            throw new Qcow2Exception("access [" + offset + ", +" + len + ") outside the disk (" + limit + " bytes)",
                    Qcow2Exception.NO_OFFSET);
        }
    }

    @Override
    public long status(long offset, long max) throws IOException {
        return map.statusMapped(map.l1, offset, Math.min(max, header.size - offset));
    }

    // ---------------------------------------------------------------- writing

    void checkWritable() throws IOException {
        checkOpen();
        if (!file.writable()) {
            throw new Qcow2Exception("image is open read-only", Qcow2Exception.NO_OFFSET);
        }
        if (isCorrupt() && mode != Mode.REPAIR) {
            throw new Qcow2Exception("image is marked corrupt; refusing to write", Qcow2Header.OFF_INCOMPAT);
        }
    }

    void checkOpen() throws Qcow2Exception {
        if (closed) {
            throw new Qcow2Exception("image is closed", Qcow2Exception.NO_OFFSET);
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (file.writable()) {
                flush();
            }
        } finally {
            closeQuietly();
        }
    }

    void closeQuietly() {
        closed = true;
        map.close();
        try {
            file.close();
        } catch (IOException e) {
            // nothing more to do
        }
        if (backing != null) {
            try {
                backing.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }

    /** Writes guest data at any offset and length inside the disk. */
    public void write(long offset, byte[] buf, int off, int len) throws IOException {
        checkWritable();
        checkRange(offset, len, header.size);
        writer.writeMapped(offset, ByteBuffer.wrap(buf), off, len);
    }

    /** Writes {@code src.remaining()} bytes at {@code offset}, advancing its position (no copy for direct buffers). */
    public void write(long offset, ByteBuffer src) throws IOException {
        checkWritable();
        int n = src.remaining();
        checkRange(offset, n, header.size);
        writer.writeMapped(offset, src, src.position(), n);
        src.position(src.position() + n);
    }

    void setIncompatibleFeatures(long v) throws IOException {
        header.incompatibleFeatures = v;
        if (header.version >= 3) {
            file.write(Qcow2Header.OFF_INCOMPAT, ByteBuffer.allocate(8).putLong(0, v).array(), 0, 8);
            file.force();
        }
    }

    /** Zeroes a range: whole clusters become zero clusters (v3) or unallocated; edges are written. */
    public void writeZeroes(long offset, long len) throws IOException {
        checkWritable();
        checkRange(offset, len, header.size);
        writer.zeroOrDiscard(offset, len, true);
    }

    /**
     * Discards a range: whole clusters are released and read back as zeros (or from the backing
     * file where there is one and the format cannot express "zero"); partial clusters are left alone.
     */
    public void discard(long offset, long len) throws IOException {
        checkWritable();
        checkRange(offset, len, header.size);
        writer.zeroOrDiscard(offset, len, false);
    }

    /**
     * Makes everything written so far durable and crash-consistent: refcounts, force, L2
     * tables, force, L1, force; then releases replaced clusters.
     */
    public void flush() throws IOException {
        writer.flush();
    }

    // ---------------------------------------------------------------- snapshots

    public List<Snapshot> snapshots() {
        return snapshots.snapshots();
    }

    public SnapshotTable snapshotTable() {
        return snapshots;
    }

    public Snapshot findSnapshot(String idOrName) throws Qcow2Exception {
        return snapshots.find(idOrName).orElseThrow(
                () -> new Qcow2Exception("snapshot '" + idOrName + "' not found", Qcow2Exception.NO_OFFSET));
    }

    /** Creates a snapshot with an icount, a guest clock and VM state (may be empty or null). */
    public Snapshot createSnapshot(String name, long icount, long vmClockNs, byte[] vmState) throws IOException {
        return createSnapshot(name, icount, vmClockNs,
                vmState == null ? null : new java.io.ByteArrayInputStream(vmState), Instant.now());
    }

    public Snapshot createSnapshot(String name, long icount, long vmClockNs, InputStream vmState) throws IOException {
        return createSnapshot(name, icount, vmClockNs, vmState, Instant.now());
    }

    /**
     * Creates an internal snapshot: VM state goes into the vmstate area, then one shadow
     * transaction (see {@link SnapshotTransactions}) adds the snapshot's copy of the L1 table, the
     * raised refcounts, the cleared COPIED flags and the new snapshot table all at once.
     */
    public Snapshot createSnapshot(String name, long icount, long vmClockNs, InputStream vmState, Instant date)
            throws IOException {
        checkWritable();
        return transactions.create(name, icount, vmClockNs, vmState, date);
    }

    /** Reverts the disk (and the vmstate area) to a snapshot, in one shadow transaction. */
    public void applySnapshot(String idOrName) throws IOException {
        checkWritable();
        transactions.apply(findSnapshot(idOrName));
    }

    /** Deletes a snapshot and releases the clusters only it used, in one shadow transaction. */
    public void deleteSnapshot(String idOrName) throws IOException {
        checkWritable();
        transactions.delete(findSnapshot(idOrName));
    }

    public void renameSnapshot(String idOrName, String newName) throws IOException {
        checkWritable();
        transactions.rename(findSnapshot(idOrName), newName);
    }

    /** Reads the disk as it was when {@code s} was taken. */
    public void readSnapshot(Snapshot s, long offset, byte[] buf, int off, int len) throws IOException {
        checkOpen();
        checkSnapshotSizes(s);
        checkRange(offset, len, s.diskSize);
        map.readMapped(map.snapshotL1(s), offset, ByteBuffer.wrap(buf), off, len);
    }

    /** The VM state stored with a snapshot, whole. */
    public byte[] readVmState(String idOrName) throws IOException {
        Snapshot s = findSnapshot(idOrName);
        if (s.vmStateSize > Integer.MAX_VALUE - 16) {
            throw new Qcow2Exception("VM state of '" + idOrName + "' is too large for one array; use openVmState",
                    Qcow2Exception.NO_OFFSET);
        }
        byte[] b = new byte[(int) s.vmStateSize];
        readVmState(s, 0, b, 0, b.length);
        return b;
    }

    /** Reads part of a snapshot's VM state, addressed from its start. */
    public void readVmState(Snapshot s, long pos, byte[] buf, int off, int len) throws IOException {
        checkOpen();
        checkSnapshotSizes(s);
        checkRange(pos, len, s.vmStateSize);
        long base = sizeToL1(s.diskSize, clusterBits, l2Bits) << (clusterBits + l2Bits);
        map.readMapped(map.snapshotL1(s), base + pos, ByteBuffer.wrap(buf), off, len);
    }

    /** A stream over a snapshot's VM state, for states larger than an array. */
    public InputStream openVmState(String idOrName) throws IOException {
        Snapshot s = findSnapshot(idOrName);
        return new InputStream() {
            private long pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= s.vmStateSize) {
                    return -1;
                }
                int n = (int) Math.min(len, s.vmStateSize - pos);
                readVmState(s, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private void checkSnapshotSizes(Snapshot s) throws Qcow2Exception {
        if (s.diskSize < 0 || s.diskSize > (1L << 55) || s.vmStateSize < 0 || s.vmStateSize > (1L << 55)) {
            throw new Qcow2Exception("snapshot '" + s.id() + "' has an impossible disk or VM state size",
                    header.snapshotsOffset);
        }
    }

    /** Reads a whole stream into memory (for small VM states in tests and tools). */
    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        in.transferTo(o);
        return o.toByteArray();
    }

    // ---------------------------------------------------------------- for ImageCheck

    long[] activeL1() {
        return map.l1;
    }

    long[] snapshotL1(Snapshot s) throws IOException {
        return map.snapshotL1(s);
    }

    L2Cache.Table loadL2(long l1Entry, long whereL1Entry) throws IOException {
        return map.loadL2(l1Entry, whereL1Entry);
    }

    void release(long offset, long length) throws IOException {
        writer.release(offset, length);
    }

    /** After a repair rewrote metadata directly: reload what we cache. */
    void reloadAfterRepair() throws IOException {
        refcounts.reload();
        map.reload();
    }

    void writeSnapshotTableForRepair(SnapshotTable table) throws IOException {
        transactions.switchSnapshotTable(table);
    }
}
