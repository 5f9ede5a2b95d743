package dev.rewind.qcow2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

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
    private final Mode mode;
    final int clusterBits;
    final int clusterSize;
    final int l2Bits;
    private final long csMask;
    final RefcountTable refcounts;
    final L2Cache l2Cache;
    long[] l1;
    private int l1DirtyFrom = Integer.MAX_VALUE;
    private int l1DirtyTo = -1;
    SnapshotTable snapshots;
    /** Bytes the snapshot table occupies on disk (as parsed). */
    long snapshotTableBytes;
    private final DiskImage backing;
    /** Released clusters waiting for the metadata that referenced them to reach the disk. */
    private long[] pendingFree = new long[64];
    private int pendingFreeCount;
    private final Map<Long, long[]> snapshotL1s = new HashMap<>();
    private final Inflater inflater = new Inflater(true);
    private long decompressedEntry = -1;
    private byte[] decompressed;
    private byte[] cowBuffer;
    private boolean closed;

    private Qcow2Image(Path path, HostFile file, Qcow2Header header, Mode mode, int depth) throws IOException {
        this.path = path;
        this.file = file;
        this.header = header;
        this.mode = mode;
        this.clusterBits = header.clusterBits;
        this.clusterSize = 1 << clusterBits;
        this.l2Bits = clusterBits - 3;
        this.csMask = clusterSize - 1;
        byte[] raw = file.readStrict(header.l1TableOffset, header.l1Size * 8, "L1 table");
        this.l1 = new long[header.l1Size];
        ByteBuffer.wrap(raw).asLongBuffer().get(l1);
        boolean tolerant = mode == Mode.CHECK || mode == Mode.REPAIR;
        this.refcounts = new RefcountTable(file, header, tolerant);
        this.l2Cache = new L2Cache(l2CacheBytes / clusterSize);
        this.snapshots = SnapshotTable.read(file, header.snapshotsOffset, header.nbSnapshots, header.version,
                header.size, tolerant);
        this.snapshotTableBytes = tableBytesOnDisk(header.snapshotsOffset, header.nbSnapshots);
        this.backing = header.backingFile == null ? null : openBacking(depth);
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

    // ---------------------------------------------------------------- mapping

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
        L2Cache.Table t = l2Cache.get(off);
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
        if (l2Cache.fullOfDirty()) {
            flush();
        }
        t = new L2Cache.Table(off, e);
        l2Cache.put(t);
        return t;
    }

    /** File offset of entry {@code index} of an L1 table (active or a snapshot's), for error reports. */
    private long l1EntryOffset(long[] table, int index) {
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

    private void checkL2Entry(long e, L2Cache.Table t, int idx) throws Qcow2Exception {
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

    private static boolean isNormal(long e) {
        return (e & COMPRESSED) == 0 && (e & ZERO) == 0 && (e & L2E_OFFSET_MASK) != 0;
    }

    // ---------------------------------------------------------------- reading

    @Override
    public void read(long offset, byte[] buf, int off, int len) throws IOException {
        checkOpen();
        checkRange(offset, len, header.size);
        readMapped(l1, offset, ByteBuffer.wrap(buf), off, len);
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}, advancing its position. */
    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkOpen();
        int n = dst.remaining();
        checkRange(offset, n, header.size);
        readMapped(l1, offset, dst, dst.position(), n);
        dst.position(dst.position() + n);
    }

    private void checkRange(long offset, long len, long limit) throws Qcow2Exception {
        if (offset < 0 || len < 0 || offset + len > limit || offset + len < 0) {
            throw new Qcow2Exception("access [" + offset + ", +" + len + ") outside the disk (" + limit + " bytes)",
                    Qcow2Exception.NO_OFFSET);
        }
    }

    /** Reads into {@code buf} at absolute index {@code off} (heap or direct buffer). */
    private void readMapped(long[] table, long offset, ByteBuffer buf, int off, int len) throws IOException {
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

    private void readUnallocated(long offset, ByteBuffer buf, int off, int len) throws IOException {
        long avail = backing == null ? 0 : Math.max(0, Math.min(len, backing.size() - offset));
        if (avail > 0) {
            backing.read(offset, buf.slice(off, (int) avail));
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

    private byte[] decompress(long e, long where) throws IOException {
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

    @Override
    public long status(long offset, long max) throws IOException {
        return statusMapped(l1, offset, Math.min(max, header.size - offset));
    }

    private long statusMapped(long[] table, long offset, long max) throws IOException {
        long run = 0;
        int kind = -1; // 0 zero, 1 data
        while (run < max) {
            long pos = offset + run;
            int l1i = l1Index(pos);
            int k;
            if (l1i >= table.length || (table[l1i] & L1E_OFFSET_MASK) == 0) {
                k = backing != null && pos < backing.size() ? 1 : 0;
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
                k = backing != null && pos < backing.size() ? 1 : 0;
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

    // ---------------------------------------------------------------- writing

    private void checkWritable() throws IOException {
        checkOpen();
        if (!file.writable()) {
            throw new Qcow2Exception("image is open read-only", Qcow2Exception.NO_OFFSET);
        }
        if (isCorrupt() && mode != Mode.REPAIR) {
            throw new Qcow2Exception("image is marked corrupt; refusing to write", Qcow2Header.OFF_INCOMPAT);
        }
    }

    private void checkOpen() throws Qcow2Exception {
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

    private void closeQuietly() {
        closed = true;
        inflater.end();
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
        writeMapped(offset, ByteBuffer.wrap(buf), off, len);
    }

    /** Writes {@code src.remaining()} bytes at {@code offset}, advancing its position (no copy for direct buffers). */
    public void write(long offset, ByteBuffer src) throws IOException {
        checkWritable();
        int n = src.remaining();
        checkRange(offset, n, header.size);
        writeMapped(offset, src, src.position(), n);
        src.position(src.position() + n);
    }

    private void writeMapped(long offset, byte[] buf, int off, int len) throws IOException {
        writeMapped(offset, ByteBuffer.wrap(buf), off, len);
    }

    /** Writes from {@code buf} at absolute index {@code off}. */
    private void writeMapped(long offset, ByteBuffer buf, int off, int len) throws IOException {
        while (len > 0) {
            int l1i = l1Index(offset);
            long tableEnd = tableEnd(offset);
            int span = (int) Math.min(len, tableEnd - offset);
            L2Cache.Table t = l2ForWrite(l1i);
            writeInTable(t, offset, buf, off, span);
            offset += span;
            off += span;
            len -= span;
        }
    }

    private L2Cache.Table l2ForWrite(int l1i) throws IOException {
        if (l1i >= l1.length) {
            growL1(l1i + 1L);
        }
        long l1e = l1[l1i];
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
        L2Cache.Table t = loadL2(l1e, header.l1TableOffset + 8L * l1i);
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
        l1[i] = v;
        l1DirtyFrom = Math.min(l1DirtyFrom, i);
        l1DirtyTo = Math.max(l1DirtyTo, i);
    }

    private void writeInTable(L2Cache.Table t, long offset, ByteBuffer buf, int off, int len) throws IOException {
        while (len > 0) {
            int idx = l2Index(offset);
            int inCluster = (int) (offset & csMask);
            long e = t.entries[idx];
            checkL2Entry(e, t, idx);
            if ((e & COPIED) != 0 && isNormal(e)) {
                // Allocated and not shared: overwrite in place, as one write over contiguous clusters.
                long host = (e & L2E_OFFSET_MASK) + inCluster;
                int n = Math.min(len, clusterSize - inCluster);
                long next = (e & L2E_OFFSET_MASK) + clusterSize;
                int i = idx;
                while (n < len && i + 1 < t.entries.length) {
                    long f = t.entries[i + 1];
                    if ((f & COPIED) == 0 || !isNormal(f) || (f & L2E_OFFSET_MASK) != next
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
                if ((f & COPIED) != 0 && isNormal(f)) {
                    break;
                }
                checkL2Entry(f, t, idx + k);
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
        return (e & L2E_OFFSET_MASK) == 0 && (backing == null || guestCluster >= backing.size());
    }

    private void readClusterByEntry(long e, long guestCluster, byte[] dst) throws IOException {
        if ((e & COMPRESSED) != 0) {
            System.arraycopy(decompress(e, -1), 0, dst, 0, clusterSize);
        } else if ((e & ZERO) != 0) {
            Arrays.fill(dst, (byte) 0);
        } else if ((e & L2E_OFFSET_MASK) == 0) {
            readUnallocated(guestCluster, ByteBuffer.wrap(dst), 0, clusterSize);
        } else {
            file.read(e & L2E_OFFSET_MASK, dst, 0, clusterSize);
        }
    }

    /** Refuses to let guest data overwrite the header or tables (a corrupt L2 entry could point there). */
    private void guardDataWrite(long host, long len) throws IOException {
        if (overlaps(host, len, 0, clusterSize)
                || overlaps(host, len, header.l1TableOffset, (long) l1.length * 8)
                || overlaps(host, len, header.refcountTableOffset, (long) header.refcountTableClusters * clusterSize)
                || overlaps(host, len, header.snapshotsOffset, snapshotTableBytes)) {
            markCorrupt();
            throw new Qcow2Exception("a guest write would overwrite image metadata; image marked corrupt", host);
        }
    }

    private static boolean overlaps(long a, long alen, long b, long blen) {
        return blen > 0 && alen > 0 && a < b + blen && b < a + alen;
    }

    private void markCorrupt() throws IOException {
        if (header.version >= 3 && file.writable()) {
            setIncompatibleFeatures(header.incompatibleFeatures | Qcow2Header.INCOMPAT_CORRUPT);
        }
    }

    void setIncompatibleFeatures(long v) throws IOException {
        header.incompatibleFeatures = v;
        if (header.version >= 3) {
            file.write(Qcow2Header.OFF_INCOMPAT, ByteBuffer.allocate(8).putLong(0, v).array(), 0, 8);
            file.force();
        }
    }

    private void releaseEntryLater(long e) {
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
            if (mode == Mode.REPAIR && refcounts.get(c) == 0) {
                continue; // a broken image may reference clusters it never counted
            }
            refcounts.add(c, -1);
            if (refcounts.get(c) == 0) {
                l2Cache.remove(c << clusterBits);
                decompressedEntry = -1;
            }
        }
    }

    /** Zeroes a range: whole clusters become zero clusters (v3) or unallocated; edges are written. */
    public void writeZeroes(long offset, long len) throws IOException {
        checkWritable();
        checkRange(offset, len, header.size);
        zeroOrDiscard(offset, len, true);
    }

    /**
     * Discards a range: whole clusters are released and read back as zeros (or from the backing
     * file where there is one and the format cannot express "zero"); partial clusters are left alone.
     */
    public void discard(long offset, long len) throws IOException {
        checkWritable();
        checkRange(offset, len, header.size);
        zeroOrDiscard(offset, len, false);
    }

    private void zeroOrDiscard(long offset, long len, boolean mustZero) throws IOException {
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
        if (!canZero && backing != null) {
            if (mustZero) {
                writeZeroBytes(firstFull, lastFull - firstFull);
            }
            return;
        }
        for (long g = firstFull; g < lastFull; g += clusterSize) {
            int l1i = l1Index(g);
            if (l1i >= l1.length || (l1[l1i] & L1E_OFFSET_MASK) == 0) {
                if (backing == null || !canZero) {
                    g = tableEnd(g) - clusterSize;
                    continue;
                }
            }
            L2Cache.Table t = l2ForWrite(l1i);
            int idx = l2Index(g);
            long old = t.entries[idx];
            long now = backing != null ? ZERO : 0;
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

    /**
     * Makes everything written so far durable and crash-consistent: refcounts, force, L2
     * tables, force, L1, force; then releases replaced clusters.
     */
    public void flush() throws IOException {
        checkOpen();
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
            b.asLongBuffer().put(l1, from, to - from);
            file.write(header.l1TableOffset + 8L * from, b);
        }
        l1DirtyFrom = Integer.MAX_VALUE;
        l1DirtyTo = -1;
    }

    /** Moves the active L1 table to fresh clusters with at least {@code entries} entries. */
    private void growL1(long entries) throws IOException {
        if (entries > MAX_L1_ENTRIES) {
            throw new Qcow2Exception("L1 table would exceed " + MAX_L1_ENTRIES + " entries", Qcow2Exception.NO_OFFSET);
        }
        flush();
        int newSize = (int) Math.min(MAX_L1_ENTRIES, Math.max(entries, (long) l1.length * 3 / 2));
        long[] grown = Arrays.copyOf(l1, newSize);
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
        long oldLen = (long) l1.length * 8;
        header.l1TableOffset = off;
        header.l1Size = newSize;
        l1 = grown;
        if (oldLen > 0) {
            release(oldOff, oldLen);
            refcounts.writeDirty();
        }
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
     * transaction (see {@link #commitShadow}) adds the snapshot's copy of the L1 table, the
     * raised refcounts, the cleared COPIED flags and the new snapshot table all at once.
     */
    public Snapshot createSnapshot(String name, long icount, long vmClockNs, InputStream vmState, Instant date)
            throws IOException {
        checkWritable();
        byte[] nameBytes = SnapshotTable.nameBytes(name);
        if (refcounts.maxRefcount() < 2) {
            throw new Qcow2Exception("snapshots need refcounts wider than 1 bit", 96);
        }
        if (snapshots.size() >= SnapshotTable.MAX_SNAPSHOTS) {
            throw new Qcow2Exception("too many snapshots (limit " + SnapshotTable.MAX_SNAPSHOTS + ")",
                    Qcow2Exception.NO_OFFSET);
        }
        for (Snapshot s : snapshots.snapshots()) {
            if (s.name().equals(name)) {
                throw new Qcow2Exception("a snapshot named '" + name + "' already exists", Qcow2Exception.NO_OFFSET);
            }
        }
        String id = snapshots.nextId();
        flush();
        long vmStart = vmStateOffset();
        long vmLen = 0;
        if (vmState != null) {
            byte[] chunk = new byte[Math.max(clusterSize, 1 << 20)];
            try {
                for (;;) {
                    int n = vmState.readNBytes(chunk, 0, chunk.length);
                    if (n <= 0) {
                        break;
                    }
                    writeMapped(vmStart + vmLen, chunk, 0, n);
                    vmLen += n;
                }
            } catch (IOException | RuntimeException e) {
                // No snapshot: do not leave a half-written state in the active image.
                discardActive(vmStart, (vmLen + csMask) & ~csMask);
                flush();
                throw e;
            }
            flush();
        }
        // Check the new table fits before touching anything.
        Snapshot probe = new Snapshot(0, l1.length, id.getBytes(java.nio.charset.StandardCharsets.UTF_8), nameBytes,
                date.getEpochSecond() & 0xFFFFFFFFL, date.getNano(), vmClockNs, vmLen, header.size, icount, 24,
                new byte[0]);
        snapshots.with(probe).encode();

        Snapshot s;
        beginShadow();
        try {
            adjustRefcounts(l1, +1);
            long[] snapL1 = new long[l1.length];
            for (int i = 0; i < l1.length; i++) {
                snapL1[i] = l1[i] & ~COPIED;
            }
            long snapL1Offset = writeFreshL1(snapL1);
            s = new Snapshot(snapL1Offset, l1.length, probe.id, nameBytes, probe.dateSec, probe.dateNsec, vmClockNs,
                    vmLen, header.size, icount, 24, new byte[0]);
            long[] active = l1.clone();
            setCopiedFlags(active, header.l1TableOffset);
            commitShadow(active, snapshots.with(s));
            if (snapL1Offset != 0) {
                snapshotL1s.put(snapL1Offset, snapL1);
            }
        } catch (IOException | RuntimeException e) {
            abandonShadow(e);
            if (vmLen > 0 && !closed) {
                try {
                    discardActive(vmStart, (vmLen + csMask) & ~csMask);
                    flush();
                } catch (IOException | RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
        if (vmLen > 0) {
            // As QEMU's savevm: the active image does not keep the state once the snapshot has it.
            discardActive(vmStart, (vmLen + csMask) & ~csMask);
            flush();
        }
        return s;
    }

    private void discardActive(long offset, long len) throws IOException {
        for (long g = offset; g < offset + len; g += clusterSize) {
            int l1i = l1Index(g);
            if (l1i >= l1.length || (l1[l1i] & L1E_OFFSET_MASK) == 0) {
                continue;
            }
            L2Cache.Table t = l2ForWrite(l1i);
            int idx = l2Index(g);
            long old = t.entries[idx];
            if (old != 0) {
                t.entries[idx] = 0;
                l2Cache.markDirty(t);
                releaseEntryLater(old);
            }
        }
    }

    /** Raises or lowers the refcount of every L2 table and data cluster an L1 table reaches. */
    private void adjustRefcounts(long[] table, int delta) throws IOException {
        for (int i = 0; i < table.length; i++) {
            long l1e = table[i];
            long l2off = l1e & L1E_OFFSET_MASK;
            if (l2off == 0) {
                continue;
            }
            L2Cache.Table t = loadL2(l1e, l1EntryOffset(table, i));
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
            release(off, len);
        } else {
            refcounts.addRange(off, len, delta);
        }
    }

    // ------------------------------------------------------------ shadow transactions
    //
    // Snapshot create, apply, delete and rename change many refcounts and COPIED flags at
    // once, and no order of in-place writes keeps those consistent for qemu-img check at
    // every instant. So they never write a cluster the on-disk header reaches: the new active
    // L1 and L2 tables whose flags change, the snapshot table and a whole new refcount
    // structure go to clusters the on-disk refcounts count as free, and one write of header
    // bytes 36..71 (L1, refcount table and snapshot table fields together) switches to them.
    // Before that write the old image is intact (the new clusters are merely unreferenced);
    // after it the new one is complete. Replaced clusters become reusable only then.

    /** Starts a shadow transaction; everything earlier is flushed first. */
    private void beginShadow() throws IOException {
        flush();
        refcounts.beginShadow();
    }

    /** Drops a transaction that failed before its switch: memory goes back to what the disk says. */
    private void abandonShadow(Exception cause) {
        try {
            refcounts.abandonShadow();
            reloadAfterRepair();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
            closeQuietly();
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
            L2Cache.Table t = loadL2(active[i], entriesAt + 8L * i);
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
                release(l2off, clusterSize);
                l2Cache.put(new L2Cache.Table(copy, want));
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
        if (!Arrays.equals(active, l1)) {
            l1Offset = writeFreshL1(active);
            if (l1.length > 0) {
                release(header.l1TableOffset, (long) l1.length * 8);
            }
        }
        long tableOffset = header.snapshotsOffset;
        long tableBytes = snapshotTableBytes;
        if (table != snapshots) {
            byte[] enc = table.encode();
            tableOffset = 0;
            tableBytes = enc.length;
            if (table.size() > 0) {
                int clusters = (int) ((enc.length + csMask) / clusterSize);
                tableOffset = refcounts.allocate(clusters);
                file.write(tableOffset, enc, 0, enc.length);
                file.extendTo(tableOffset + (long) clusters * clusterSize);
            }
            if (header.snapshotsOffset != 0 && snapshotTableBytes > 0) {
                release(header.snapshotsOffset, snapshotTableBytes);
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
        l1 = active;
        l1DirtyFrom = Integer.MAX_VALUE;
        l1DirtyTo = -1;
        snapshots = table;
        snapshotTableBytes = tableBytes;
        file.force();
    }

    /**
     * Writes a complete table to fresh clusters, switches the header to it, frees the old one.
     * Only repair uses this: it raises refcounts in place before the switch (a kill leaves a
     * leak at worst) and needs no other metadata changed with the table.
     */
    private void switchSnapshotTable(SnapshotTable table) throws IOException {
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
        long oldLen = snapshotTableBytes;
        header.nbSnapshots = table.size();
        header.snapshotsOffset = newOff;
        snapshots = table;
        snapshotTableBytes = enc.length;
        if (oldOff != 0 && oldLen > 0) {
            release(oldOff, oldLen);
            refcounts.writeDirty();
        }
    }

    /** Reverts the disk (and the vmstate area) to a snapshot, in one shadow transaction. */
    public void applySnapshot(String idOrName) throws IOException {
        checkWritable();
        Snapshot s = findSnapshot(idOrName);
        if (s.diskSize != header.size) {
            throw new Qcow2Exception("snapshot '" + idOrName + "' has disk size " + s.diskSize + " but the image has "
                    + header.size + "; loading snapshots with a different disk size is not supported",
                    Qcow2Exception.NO_OFFSET);
        }
        long[] snapL1 = snapshotL1(s);
        beginShadow();
        try {
            // Raise the snapshot's paths before lowering the old ones: shared clusters never touch 0.
            adjustRefcounts(snapL1, +1);
            adjustRefcounts(l1, -1);
            long[] active = new long[Math.max(l1.length, snapL1.length)];
            System.arraycopy(snapL1, 0, active, 0, snapL1.length);
            setCopiedFlags(active, s.l1TableOffset);
            commitShadow(active, snapshots);
        } catch (IOException | RuntimeException e) {
            abandonShadow(e);
            throw e;
        }
    }

    /** Deletes a snapshot and releases the clusters only it used, in one shadow transaction. */
    public void deleteSnapshot(String idOrName) throws IOException {
        checkWritable();
        Snapshot s = findSnapshot(idOrName);
        long[] snapL1 = snapshotL1(s);
        beginShadow();
        try {
            adjustRefcounts(snapL1, -1);
            if (s.l1Size > 0) {
                release(s.l1TableOffset, (long) s.l1Size * 8);
            }
            long[] active = l1.clone();
            setCopiedFlags(active, header.l1TableOffset);
            commitShadow(active, snapshots.without(s));
        } catch (IOException | RuntimeException e) {
            abandonShadow(e);
            throw e;
        }
        snapshotL1s.remove(s.l1TableOffset);
    }

    public void renameSnapshot(String idOrName, String newName) throws IOException {
        checkWritable();
        Snapshot s = findSnapshot(idOrName);
        byte[] nb = SnapshotTable.nameBytes(newName);
        for (Snapshot o : snapshots.snapshots()) {
            if (o != s && o.name().equals(newName)) {
                throw new Qcow2Exception("a snapshot named '" + newName + "' already exists", Qcow2Exception.NO_OFFSET);
            }
        }
        beginShadow();
        try {
            commitShadow(l1, snapshots.replaced(s, s.withName(nb)));
        } catch (IOException | RuntimeException e) {
            abandonShadow(e);
            throw e;
        }
    }

    private void checkSnapshotSizes(Snapshot s) throws Qcow2Exception {
        if (s.diskSize < 0 || s.diskSize > (1L << 55) || s.vmStateSize < 0 || s.vmStateSize > (1L << 55)) {
            throw new Qcow2Exception("snapshot '" + s.id() + "' has an impossible disk or VM state size",
                    header.snapshotsOffset);
        }
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

    /** Reads the disk as it was when {@code s} was taken. */
    public void readSnapshot(Snapshot s, long offset, byte[] buf, int off, int len) throws IOException {
        checkOpen();
        checkSnapshotSizes(s);
        checkRange(offset, len, s.diskSize);
        readMapped(snapshotL1(s), offset, ByteBuffer.wrap(buf), off, len);
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
        readMapped(snapshotL1(s), base + pos, ByteBuffer.wrap(buf), off, len);
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

    /** Reads a whole stream into memory (for small VM states in tests and tools). */
    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        in.transferTo(o);
        return o.toByteArray();
    }

    // ---------------------------------------------------------------- for ImageCheck

    long[] activeL1() {
        return l1;
    }

    /** After a repair rewrote metadata directly: reload what we cache. */
    void reloadAfterRepair() throws IOException {
        l2Cache.clear();
        snapshotL1s.clear();
        decompressedEntry = -1;
        refcounts.reload();
        byte[] raw = file.readStrict(header.l1TableOffset, header.l1Size * 8, "L1 table");
        l1 = new long[header.l1Size];
        ByteBuffer.wrap(raw).asLongBuffer().get(l1);
    }

    void writeSnapshotTableForRepair(SnapshotTable table) throws IOException {
        switchSnapshotTable(table);
    }
}
