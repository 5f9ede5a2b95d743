package dev.rewind.emulator;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The complete state of a {@link VirtMachine} at one icount: hart, devices, clock and RAM (as
 * 4 KiB pages indexed from the start of RAM). A <em>full</em> state lists every non-zero page
 * (absent pages are zero); a <em>delta</em> state lists only pages written since the previous
 * capture, for the replay engine's incremental snapshots. A full state keeps its pages in a
 * {@link PageTree} shared with the state it was laid over ({@link #over}), so successive full
 * states cost the pages that changed between them.
 *
 * <p>{@link #encode()} is canonical: equal machine states give equal bytes, so
 * {@link #digest()} (SHA-256 of the encoding) proves two runs reached the same state.
 */
public final class MachineState {

    public static final int PAGE_SIZE = 4096;
    private static final int MAGIC = 0x52574d53; // "RWMS"
    /**
     * 2: the hart blob lists its row count and harts (see StateCapture); 1 (one hart, fixed
     * rows) is still read.
     */
    static final int VERSION = 2;

    /**
     * The layout of states this emulator writes: format version and registers per hart. Part of
     * a recording's machine configuration, since a final-state digest is only comparable within it.
     */
    public static String format() {
        return VERSION + "." + Csr.saved().size();
    }

    private final int formatVersion;
    private final long icount;
    private final long clockBiasNs;
    private final int icountShift;
    private final long ramSize;
    private final boolean full;
    private final byte[] hart;
    private final NavigableMap<String, byte[]> devices;
    /** A delta's pages (null in a full state). */
    private final NavigableMap<Long, byte[]> pages;
    /** A full state's pages (null in a delta). */
    private final PageTree tree;

    /** A delta state: {@code pages} are those written since the previous capture. */
    MachineState(long icount, long clockBiasNs, int icountShift, long ramSize, boolean full, byte[] hart,
            NavigableMap<String, byte[]> devices, NavigableMap<Long, byte[]> pages) {
        this(VERSION, icount, clockBiasNs, icountShift, ramSize, hart, devices, full ? null : pages,
                full ? PageTree.of(pages, pagesOf(ramSize)) : null);
    }

    /** A full state over {@code tree}. */
    MachineState(long icount, long clockBiasNs, int icountShift, long ramSize, boolean full, byte[] hart,
            NavigableMap<String, byte[]> devices, PageTree tree) {
        this(VERSION, icount, clockBiasNs, icountShift, ramSize, hart, devices, null, tree);
        if (!full) {
            throw new IllegalArgumentException("a page tree holds a full state");
        }
    }

    private MachineState(int formatVersion, long icount, long clockBiasNs, int icountShift, long ramSize, byte[] hart,
            NavigableMap<String, byte[]> devices, NavigableMap<Long, byte[]> pages, PageTree tree) {
        this.formatVersion = formatVersion;
        this.icount = icount;
        this.clockBiasNs = clockBiasNs;
        this.icountShift = icountShift;
        this.ramSize = ramSize;
        this.full = tree != null;
        this.hart = hart;
        this.devices = Collections.unmodifiableNavigableMap(devices);
        this.pages = pages == null ? null : Collections.unmodifiableNavigableMap(pages);
        this.tree = tree;
    }

    private static int pagesOf(long ramSize) {
        return (int) ((ramSize + PAGE_SIZE - 1) / PAGE_SIZE);
    }

    /** Receives pages in ascending order ({@link #forEachPage}). */
    public interface PageVisitor {
        void page(long index, byte[] data);
    }

    public long icount() {
        return icount;
    }

    public long clockBiasNs() {
        return clockBiasNs;
    }

    public int icountShift() {
        return icountShift;
    }

    public long ramSize() {
        return ramSize;
    }

    /** True if pages missing from {@link #pages()} are zero; false for a delta capture. */
    public boolean isFull() {
        return full;
    }

    /**
     * RAM pages by index (RAM offset / 4096), ascending. The arrays must not be modified. For a
     * full state this builds a map of every page in use: {@link #page}, {@link #forEachPage} and
     * {@link #pageCount} do not.
     */
    public NavigableMap<Long, byte[]> pages() {
        return full ? Collections.unmodifiableNavigableMap(tree.asMap()) : pages;
    }

    /** The page at {@code index}, or null if this state does not hold it (a full state: it is zero). */
    public byte[] page(long index) {
        return full ? tree.get(index) : pages.get(index);
    }

    /** Visits the pages this state holds, ascending. */
    public void forEachPage(PageVisitor v) {
        if (full) {
            tree.forEach(v);
        } else {
            pages.forEach(v::page);
        }
    }

    /** How many pages this state holds (a full state: the non-zero ones). */
    public int pageCount() {
        return full ? tree.size() : pages.size();
    }

    /**
     * Adds to {@code out} the pages whose content may differ between two full states. States laid
     * over one another share the arrays of unchanged pages, so comparing references is enough
     * (unequal references of equal bytes only cost a redundant copy); the cost follows the pages
     * that changed between them, not the RAM's size.
     */
    public static void differingPages(MachineState a, MachineState b, java.util.BitSet out) {
        if (!a.full || !b.full) {
            throw new IllegalArgumentException("pages differ between full states only");
        }
        PageTree.differing(a.tree, b.tree, out);
    }

    /**
     * Heap bytes of this full state's pages that {@code other} (a full state, or null) does not
     * share: pages and page-table nodes. For a memory account of states laid over one another.
     */
    public long pageBytesNotIn(MachineState other) {
        if (!full || (other != null && !other.full)) {
            throw new IllegalArgumentException("page sharing is counted between full states");
        }
        return tree.bytesNotIn(other == null ? null : other.tree);
    }

    /** Device states by device name, ascending. */
    public NavigableMap<String, byte[]> devices() {
        return devices;
    }

    byte[] hart() {
        return hart;
    }

    /** The format of {@link #hart()}: {@link #VERSION}, or an older one read from a snapshot. */
    int formatVersion() {
        return formatVersion;
    }

    /**
     * This delta laid over {@code base} (a full state): the result is a full state at this
     * state's icount. A full state returns itself.
     */
    public MachineState over(MachineState base) {
        if (full) {
            return this;
        }
        if (!base.full) {
            throw new IllegalArgumentException("base of a delta must be a full state");
        }
        // O(pages of this delta): the base's table is shared, not copied
        return new MachineState(formatVersion, icount, clockBiasNs, icountShift, ramSize, hart, new TreeMap<>(devices), null,
                base.tree.with(pages));
    }

    /** Canonical byte encoding (big-endian). Zero pages of a full state are omitted. */
    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedSize());
        encodeTo(out);
        return out.array();
    }

    /** The length of {@link #encode()}'s output, without encoding. */
    public int encodedSize() {
        long n = 4 + 4 + 1 + 8 + 8 + 4 + 8 + 4 + hart.length + 4;
        for (var e : devices.entrySet()) {
            n += 2 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + e.getValue().length;
        }
        n += 4 + (long) pageCount() * (4 + PAGE_SIZE);
        if (n > Integer.MAX_VALUE - 64) {
            throw new IllegalStateException("machine state of " + n + " bytes is too large for one array");
        }
        return (int) n;
    }

    /**
     * Writes {@link #encode()}'s bytes into {@code out} (big-endian, {@link #encodedSize()} of
     * them) without an intermediate copy: for callers that frame the state with more.
     */
    public void encodeTo(ByteBuffer out) {
        out.putInt(MAGIC);
        out.putInt(formatVersion);
        out.put((byte) (full ? 1 : 0));
        out.putLong(icount);
        out.putLong(clockBiasNs);
        out.putInt(icountShift);
        out.putLong(ramSize);
        out.putInt(hart.length);
        out.put(hart);
        out.putInt(devices.size());
        for (var e : devices.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.putShort((short) name.length);
            out.put(name);
            out.putInt(e.getValue().length);
            out.put(e.getValue());
        }
        // a full state's table holds no zero pages (PageTree drops them)
        out.putInt(pageCount());
        forEachPage((index, page) -> {
            out.putInt((int) index);
            out.put(page);
        });
    }

    /** Decodes {@link #encode()} output. */
    public static MachineState decode(byte[] data) throws StateFormatException {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            if (in.readInt() != MAGIC) {
                throw new StateFormatException("not a Rewind machine state (bad magic)");
            }
            int version = in.readInt();
            if (version < 1 || version > VERSION) {
                throw new StateFormatException("unsupported machine state version " + version + " (this Rewind reads 1 to "
                        + VERSION + (version > VERSION ? "; it was saved by a newer Rewind)" : ")"));
            }
            boolean full = in.readBoolean();
            long icount = in.readLong();
            long bias = in.readLong();
            int shift = in.readInt();
            long ramSize = in.readLong();
            byte[] hart = readBlob(in, 1 << 20, "hart");
            int deviceCount = in.readInt();
            if (deviceCount < 0 || deviceCount > 1024) {
                throw new StateFormatException("bad device count " + deviceCount);
            }
            TreeMap<String, byte[]> devices = new TreeMap<>();
            for (int i = 0; i < deviceCount; i++) {
                byte[] name = new byte[in.readUnsignedShort()];
                in.readFully(name);
                devices.put(new String(name, StandardCharsets.UTF_8), readBlob(in, 1 << 24, "device"));
            }
            int pageCount = in.readInt();
            if (pageCount < 0 || (long) pageCount * PAGE_SIZE > ramSize) {
                throw new StateFormatException("bad page count " + pageCount);
            }
            TreeMap<Long, byte[]> pages = new TreeMap<>();
            for (int i = 0; i < pageCount; i++) {
                long index = in.readInt() & 0xffffffffL;
                if (index * PAGE_SIZE >= ramSize) {
                    throw new StateFormatException("page " + index + " lies outside RAM");
                }
                byte[] page = new byte[PAGE_SIZE];
                in.readFully(page);
                pages.put(index, page);
            }
            return full ? new MachineState(version, icount, bias, shift, ramSize, hart, devices, null,
                    PageTree.of(pages, pagesOf(ramSize)))
                    : new MachineState(version, icount, bias, shift, ramSize, hart, devices, pages, null);
        } catch (StateFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new StateFormatException("machine state is truncated");
        }
    }

    private static byte[] readBlob(DataInputStream in, int max, String what) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > max) {
            throw new StateFormatException("bad " + what + " state length " + len);
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    /** SHA-256 of {@link #encode()}. */
    public byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(encode());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    public String digestHex() {
        return HexFormat.of().formatHex(digest());
    }

    private static final byte[] ZERO_PAGE = new byte[PAGE_SIZE];

    static boolean isZero(byte[] page) {
        return isZero(page, 0);
    }

    /** True if the 4 KiB at {@code data[from..]} are all zero (vectorised compare, no copy). */
    static boolean isZero(byte[] data, int from) {
        return java.util.Arrays.mismatch(data, from, from + PAGE_SIZE, ZERO_PAGE, 0, PAGE_SIZE) < 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MachineState other && Arrays.equals(encode(), other.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest());
    }
}
