package dev.rewind.qcow2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The qcow2 header in cluster 0: fixed fields, header extensions and the backing file name
 * (QEMU docs/interop/qcow2.txt, "Header" and "Header extensions"). Parsing validates every
 * field a later step trusts; encoding rebuilds the whole cluster in QEMU's order and keeps
 * extensions and additional header fields we do not understand byte for byte.
 */
public final class Qcow2Header {

    public static final int MAGIC = 0x514649FB;
    static final int V2_LENGTH = 72;
    static final int V3_MIN_LENGTH = 104;
    /** What QEMU since 5.1 writes: v3 fields plus compression_type and padding. */
    static final int V3_LENGTH = 112;

    public static final int EXT_END = 0;
    public static final int EXT_BACKING_FORMAT = 0xE2792ACA;
    public static final int EXT_FEATURE_TABLE = 0x6803F857;
    public static final int EXT_BITMAPS = 0x23852875;
    public static final int EXT_CRYPTO = 0x0537BE77;
    public static final int EXT_DATA_FILE = 0x44415441;

    public static final long INCOMPAT_DIRTY = 1;
    public static final long INCOMPAT_CORRUPT = 2;
    public static final long INCOMPAT_DATA_FILE = 4;
    public static final long INCOMPAT_COMPRESSION = 8;
    public static final long INCOMPAT_EXTL2 = 16;
    static final long INCOMPAT_KNOWN = 0x1F;
    public static final long COMPAT_LAZY_REFCOUNTS = 1;
    static final long AUTOCLEAR_KNOWN = 0x3;

    /** Offsets of fields that are updated in place with small writes. */
    static final int OFF_L1 = 36;          // l1_size u32 + l1_table_offset u64
    static final int OFF_REFTABLE = 48;    // refcount_table_offset u64 + clusters u32
    static final int OFF_SNAPSHOTS = 60;   // nb_snapshots u32 + snapshots_offset u64
    static final int OFF_INCOMPAT = 72;

    /** A header extension we keep verbatim. */
    public record Extension(int type, byte[] data) { }

    int version;
    long backingFileOffset;
    int backingFileSize;
    int clusterBits;
    long size;
    int cryptMethod;
    int l1Size;
    long l1TableOffset;
    long refcountTableOffset;
    int refcountTableClusters;
    int nbSnapshots;
    long snapshotsOffset;
    long incompatibleFeatures;
    long compatibleFeatures;
    long autoclearFeatures;
    int refcountOrder = 4;
    int headerLength;
    /** Bytes from offset 104 up to header_length (compression_type, padding, unknown fields). */
    byte[] additionalFields = new byte[0];
    String backingFile;
    String backingFormat;
    final List<Extension> unknownExtensions = new ArrayList<>();

    public int version() { return version; }
    public int clusterBits() { return clusterBits; }
    public int clusterSize() { return 1 << clusterBits; }
    public long size() { return size; }
    public int refcountOrder() { return refcountOrder; }
    public long incompatibleFeatures() { return incompatibleFeatures; }
    public long compatibleFeatures() { return compatibleFeatures; }
    public long autoclearFeatures() { return autoclearFeatures; }
    public String backingFile() { return backingFile; }
    public String backingFormat() { return backingFormat; }
    public int compressionType() { return additionalFields.length > 0 ? additionalFields[0] & 0xFF : 0; }
    public List<Extension> unknownExtensions() { return List.copyOf(unknownExtensions); }

    /**
     * Parses and validates cluster 0. {@code head} holds the first bytes of the file (at least
     * the cluster, or the whole file if shorter); {@code fileSize} bounds table offsets.
     */
    static Qcow2Header parse(byte[] head, long fileSize) throws Qcow2Exception {
        if (head.length < V2_LENGTH) {
            throw new Qcow2Exception("file too short for a qcow2 header (" + head.length + " bytes)", 0);
        }
        ByteBuffer b = ByteBuffer.wrap(head);
        if (b.getInt(0) != MAGIC) {
            throw new Qcow2Exception("not a qcow2 image (bad magic)", 0);
        }
        Qcow2Header h = new Qcow2Header();
        h.version = b.getInt(4);
        if (h.version != 2 && h.version != 3) {
            throw new Qcow2Exception("unsupported qcow2 version " + Integer.toUnsignedString(h.version), 4);
        }
        h.backingFileOffset = b.getLong(8);
        h.backingFileSize = b.getInt(16);
        h.clusterBits = b.getInt(20);
        if (h.clusterBits < 9 || h.clusterBits > 21) {
            throw new Qcow2Exception("unsupported cluster size: cluster_bits " + Integer.toUnsignedString(h.clusterBits)
                    + " (512 B to 2 MiB supported)", 20);
        }
        int cs = 1 << h.clusterBits;
        h.size = b.getLong(24);
        if (h.size < 0 || h.size > (1L << 56)) {
            throw new Qcow2Exception("virtual disk size out of range: " + Long.toUnsignedString(h.size), 24);
        }
        h.cryptMethod = b.getInt(32);
        if (h.cryptMethod != 0) {
            throw new Qcow2Exception("encrypted images are not supported (crypt_method " + h.cryptMethod + ")", 32);
        }
        h.l1Size = b.getInt(36);
        h.l1TableOffset = b.getLong(40);
        h.refcountTableOffset = b.getLong(48);
        h.refcountTableClusters = b.getInt(56);
        h.nbSnapshots = b.getInt(60);
        h.snapshotsOffset = b.getLong(64);
        if (h.version == 2) {
            h.headerLength = V2_LENGTH;
            h.refcountOrder = 4;
        } else {
            if (head.length < V3_MIN_LENGTH) {
                throw new Qcow2Exception("file too short for a qcow2 v3 header", 0);
            }
            h.incompatibleFeatures = b.getLong(72);
            h.compatibleFeatures = b.getLong(80);
            h.autoclearFeatures = b.getLong(88);
            h.refcountOrder = b.getInt(96);
            h.headerLength = b.getInt(100);
            if (h.headerLength < V3_MIN_LENGTH || h.headerLength > cs || h.headerLength > head.length) {
                throw new Qcow2Exception("invalid header_length " + Integer.toUnsignedString(h.headerLength), 100);
            }
            h.additionalFields = java.util.Arrays.copyOfRange(head, V3_MIN_LENGTH, h.headerLength);
        }
        if (h.refcountOrder < 0 || h.refcountOrder > 6) {
            throw new Qcow2Exception("invalid refcount_order " + Integer.toUnsignedString(h.refcountOrder), 96);
        }
        long unknown = h.incompatibleFeatures & ~INCOMPAT_KNOWN;
        if (unknown != 0) {
            throw new Qcow2Exception("unsupported incompatible feature bits 0x" + Long.toHexString(unknown)
                    + "; this image needs a newer qcow2 implementation", OFF_INCOMPAT);
        }
        if ((h.incompatibleFeatures & INCOMPAT_DATA_FILE) != 0) {
            throw new Qcow2Exception("images with an external data file are not supported", OFF_INCOMPAT);
        }
        if ((h.incompatibleFeatures & INCOMPAT_EXTL2) != 0) {
            throw new Qcow2Exception("images with extended L2 entries (subclusters) are not supported", OFF_INCOMPAT);
        }
        boolean compressionBit = (h.incompatibleFeatures & INCOMPAT_COMPRESSION) != 0;
        if (compressionBit != (h.compressionType() != 0)) {
            throw new Qcow2Exception("compression type field and feature bit disagree", V3_MIN_LENGTH);
        }
        if (h.compressionType() > 1) {
            throw new Qcow2Exception("unknown compression type " + h.compressionType(), V3_MIN_LENGTH);
        }
        if (h.l1Size < 0 || h.l1Size > Qcow2Image.MAX_L1_ENTRIES) {
            throw new Qcow2Exception("L1 table too large: " + Integer.toUnsignedString(h.l1Size) + " entries", 36);
        }
        checkTable("L1 table", h.l1TableOffset, (long) h.l1Size * 8, cs, fileSize, 40);
        int l2Bits = h.clusterBits - 3;
        long needed = Qcow2Image.sizeToL1(h.size, h.clusterBits, l2Bits);
        if (h.l1Size < needed) {
            throw new Qcow2Exception("L1 table is too small for the disk size (" + h.l1Size + " < " + needed + ")", 36);
        }
        if (h.refcountTableClusters <= 0 || (long) h.refcountTableClusters * cs > Qcow2Image.MAX_REFTABLE_BYTES) {
            throw new Qcow2Exception("invalid refcount table size: " + Integer.toUnsignedString(h.refcountTableClusters)
                    + " clusters", 56);
        }
        checkTable("refcount table", h.refcountTableOffset, (long) h.refcountTableClusters * cs, cs, fileSize, 48);
        if (h.refcountTableOffset == 0) {
            throw new Qcow2Exception("refcount table offset is 0", 48);
        }
        if (Integer.toUnsignedLong(h.nbSnapshots) > SnapshotTable.MAX_SNAPSHOTS) {
            throw new Qcow2Exception("snapshot table too large: " + Integer.toUnsignedString(h.nbSnapshots)
                    + " entries", 60);
        }
        checkTable("snapshot table", h.snapshotsOffset, h.nbSnapshots == 0 ? 0 : 40L * h.nbSnapshots, cs, fileSize, 64);
        parseExtensions(h, b, cs);
        if (h.backingFileOffset != 0) {
            if (h.backingFileOffset < 0 || h.backingFileOffset > cs || h.backingFileSize < 0 || h.backingFileSize > 1023
                    || h.backingFileOffset + h.backingFileSize > Math.min(cs, head.length)) {
                throw new Qcow2Exception("invalid backing file name location", 8);
            }
            h.backingFile = new String(head, (int) h.backingFileOffset, h.backingFileSize, StandardCharsets.UTF_8);
        }
        return h;
    }

    private static void checkTable(String what, long offset, long length, int cs, long fileSize, int field)
            throws Qcow2Exception {
        if (length == 0 && offset == 0) {
            return;
        }
        if (offset < 0 || (offset & (cs - 1)) != 0) {
            throw new Qcow2Exception(what + " offset 0x" + Long.toHexString(offset) + " is not cluster aligned", field);
        }
        if (offset + length > fileSize || offset + length < offset) {
            throw new Qcow2Exception(what + " at 0x" + Long.toHexString(offset) + " extends beyond the end of the file",
                    field);
        }
    }

    private static void parseExtensions(Qcow2Header h, ByteBuffer b, int cs) throws Qcow2Exception {
        int pos = h.headerLength;
        int end = (int) Math.min(Math.min(cs, b.capacity()),
                h.backingFileOffset > 0 && h.backingFileOffset <= cs ? h.backingFileOffset : cs);
        while (pos + 8 <= end) {
            int type = b.getInt(pos);
            long len = Integer.toUnsignedLong(b.getInt(pos + 4));
            if (type == EXT_END) {
                return;
            }
            if (pos + 8 + len > end) {
                throw new Qcow2Exception("header extension 0x" + Integer.toHexString(type) + " overruns cluster 0", pos);
            }
            byte[] data = new byte[(int) len];
            b.get(pos + 8, data);
            switch (type) {
                case EXT_BACKING_FORMAT -> {
                    if (len > 16) {
                        throw new Qcow2Exception("backing format name too long", pos);
                    }
                    h.backingFormat = new String(data, StandardCharsets.UTF_8);
                }
                case EXT_FEATURE_TABLE -> { /* regenerated on write */ }
                case EXT_CRYPTO, EXT_DATA_FILE ->
                    throw new Qcow2Exception("unsupported header extension 0x" + Integer.toHexString(type), pos);
                default -> h.unknownExtensions.add(new Extension(type, data));
            }
            pos += 8 + (int) ((len + 7) & ~7L);
        }
    }

    /** The whole of cluster 0 as QEMU's qcow2_update_header lays it out. */
    byte[] encode() throws Qcow2Exception {
        int cs = clusterSize();
        ByteBuffer b = ByteBuffer.allocate(cs);
        b.putInt(MAGIC).putInt(version).putLong(0).putInt(0).putInt(clusterBits).putLong(size).putInt(cryptMethod)
                .putInt(l1Size).putLong(l1TableOffset).putLong(refcountTableOffset).putInt(refcountTableClusters)
                .putInt(nbSnapshots).putLong(snapshotsOffset);
        if (version >= 3) {
            b.putLong(incompatibleFeatures).putLong(compatibleFeatures).putLong(autoclearFeatures)
                    .putInt(refcountOrder).putInt(headerLength).put(additionalFields);
        }
        try {
            if (backingFormat != null) {
                putExtension(b, EXT_BACKING_FORMAT, backingFormat.getBytes(StandardCharsets.UTF_8));
            }
            if (version >= 3) {
                putExtension(b, EXT_FEATURE_TABLE, featureTable());
            }
            for (Extension e : unknownExtensions) {
                putExtension(b, e.type(), e.data());
            }
            b.putInt(EXT_END).putInt(0);
            if (backingFile != null) {
                byte[] name = backingFile.getBytes(StandardCharsets.UTF_8);
                backingFileOffset = b.position();
                backingFileSize = name.length;
                b.put(name);
            } else {
                backingFileOffset = 0;
                backingFileSize = 0;
            }
        } catch (java.nio.BufferOverflowException e) {
            throw new Qcow2Exception("header, extensions and backing file name do not fit in one cluster", 0);
        }
        b.putLong(8, backingFileOffset).putInt(16, backingFileSize);
        return b.array();
    }

    private static void putExtension(ByteBuffer b, int type, byte[] data) {
        b.putInt(type).putInt(data.length).put(data);
        int pad = (8 - (data.length & 7)) & 7;
        b.put(new byte[pad]);
    }

    /** The feature name table QEMU 7.2 writes: every feature it knows, with its name. */
    private static byte[] featureTable() {
        Object[][] names = {
            {0, 0, "dirty bit"}, {0, 1, "corrupt bit"}, {0, 2, "external data file"}, {0, 3, "compression type"},
            {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"}, {2, 0, "bitmaps"}, {2, 1, "raw external data"},
        };
        ByteBuffer t = ByteBuffer.allocate(48 * names.length);
        for (int i = 0; i < names.length; i++) {
            t.position(48 * i);
            t.put((byte) (int) (Integer) names[i][0]).put((byte) (int) (Integer) names[i][1])
                    .put(((String) names[i][2]).getBytes(StandardCharsets.US_ASCII));
        }
        return t.array();
    }
}
