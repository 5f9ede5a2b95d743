package dev.rewind.emulator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
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
 * capture, for the replay engine's incremental snapshots.
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
    private final NavigableMap<Long, byte[]> pages;

    MachineState(long icount, long clockBiasNs, int icountShift, long ramSize, boolean full, byte[] hart,
            NavigableMap<String, byte[]> devices, NavigableMap<Long, byte[]> pages) {
        this(VERSION, icount, clockBiasNs, icountShift, ramSize, full, hart, devices, pages);
    }

    private MachineState(int formatVersion, long icount, long clockBiasNs, int icountShift, long ramSize, boolean full,
            byte[] hart, NavigableMap<String, byte[]> devices, NavigableMap<Long, byte[]> pages) {
        this.formatVersion = formatVersion;
        this.icount = icount;
        this.clockBiasNs = clockBiasNs;
        this.icountShift = icountShift;
        this.ramSize = ramSize;
        this.full = full;
        this.hart = hart;
        this.devices = Collections.unmodifiableNavigableMap(devices);
        this.pages = Collections.unmodifiableNavigableMap(pages);
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

    /** RAM pages by index (RAM offset / 4096), ascending. The arrays must not be modified. */
    public NavigableMap<Long, byte[]> pages() {
        return pages;
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
        TreeMap<Long, byte[]> merged = new TreeMap<>(base.pages);
        for (var e : pages.entrySet()) {
            if (isZero(e.getValue())) {
                merged.remove(e.getKey());
            } else {
                merged.put(e.getKey(), e.getValue());
            }
        }
        return new MachineState(formatVersion, icount, clockBiasNs, icountShift, ramSize, true, hart, new TreeMap<>(devices),
                merged);
    }

    /** Canonical byte encoding (big-endian). Zero pages of a full state are omitted. */
    public byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(formatVersion);
            out.writeBoolean(full);
            out.writeLong(icount);
            out.writeLong(clockBiasNs);
            out.writeInt(icountShift);
            out.writeLong(ramSize);
            out.writeInt(hart.length);
            out.write(hart);
            out.writeInt(devices.size());
            for (var e : devices.entrySet()) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(name.length);
                out.write(name);
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
            int count = 0;
            for (var e : pages.entrySet()) {
                if (!(full && isZero(e.getValue()))) {
                    count++;
                }
            }
            out.writeInt(count);
            for (var e : pages.entrySet()) {
                if (full && isZero(e.getValue())) {
                    continue;
                }
                out.writeInt((int) (long) e.getKey());
                out.write(e.getValue());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
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
            return new MachineState(version, icount, bias, shift, ramSize, full, hart, devices, pages);
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
