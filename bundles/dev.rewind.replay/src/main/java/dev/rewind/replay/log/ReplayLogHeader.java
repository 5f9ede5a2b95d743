package dev.rewind.replay.log;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What a replay needs to rebuild the recorded machine: the program (path and digest), the
 * machine configuration, the disk and snapshot images and the start snapshot. With these,
 * {@code rewind replay run.rrlog} needs no other argument.
 *
 * @param programPath       the ELF as given when recording
 * @param programSha256     digest of the ELF file, to refuse replaying another program
 * @param ramSize           RAM in bytes
 * @param icountShift       virtual ns per instruction = 2^shift
 * @param diskPath          disk image, or null for a diskless machine
 * @param snapshotImagePath qcow2 image holding the start snapshot (the disk or an orphan image), or null
 * @param startSnapshot     name of the snapshot the recording starts from, or null to start at reset
 * @param sleep             true for {@code sleep=on} (idle warps follow real time)
 * @param configDigest      SHA-256 of the canonical machine configuration text
 * @param digestInterval    instructions between hart digests in the log (0 = none)
 * @param writerVersion     the Rewind version that wrote the log
 * @param bootFiles         every file the machine booted from (role, path, digest: bios, kernel,
 *                          initrd, dtb); empty in logs written before boot files were recorded,
 *                          whose machine booted {@code programPath} as QEMU's -bios none -kernel
 * @param append            the kernel command line, or null
 * @param harts             number of harts ({@code --smp}); 1 in logs written before several harts
 * @param rtc               the RTC's base and clock as QEMU's {@code -rtc} text ({@code base=...,clock=...}),
 *                          or null for QEMU's default (utc, host), as in logs written before the option
 */
public record ReplayLogHeader(String programPath, byte[] programSha256, long ramSize, int icountShift,
        String diskPath, String snapshotImagePath, String startSnapshot, boolean sleep,
        byte[] configDigest, long digestInterval, String writerVersion, List<BootFile> bootFiles, String append,
        int harts, String rtc) {

    /** One boot file: its role ("bios", "kernel", "initrd", "dtb"), its path as given and its SHA-256. */
    public record BootFile(String role, String path, byte[] sha256) {
        public String sha256Hex() {
            return HexFormat.of().formatHex(sha256);
        }
    }

    public ReplayLogHeader {
        bootFiles = List.copyOf(bootFiles);
    }

    /** A header with QEMU's default RTC (no {@code -rtc}). */
    public ReplayLogHeader(String programPath, byte[] programSha256, long ramSize, int icountShift, String diskPath,
            String snapshotImagePath, String startSnapshot, boolean sleep, byte[] configDigest, long digestInterval,
            String writerVersion, List<BootFile> bootFiles, String append, int harts) {
        this(programPath, programSha256, ramSize, icountShift, diskPath, snapshotImagePath, startSnapshot, sleep,
                configDigest, digestInterval, writerVersion, bootFiles, append, harts, null);
    }

    /** A header without boot files: the program alone, as {@code -bios none -kernel PROGRAM}. */
    public ReplayLogHeader(String programPath, byte[] programSha256, long ramSize, int icountShift, String diskPath,
            String snapshotImagePath, String startSnapshot, boolean sleep, byte[] configDigest, long digestInterval,
            String writerVersion) {
        this(programPath, programSha256, ramSize, icountShift, diskPath, snapshotImagePath, startSnapshot, sleep,
                configDigest, digestInterval, writerVersion, List.of(), null, 1, null);
    }

    static final byte[] MAGIC = "RWNDLOG1".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int MAX_FIELDS_BYTES = 1 << 20;

    private static final int TAG_PROGRAM = 1;
    private static final int TAG_PROGRAM_SHA = 2;
    private static final int TAG_RAM = 3;
    private static final int TAG_SHIFT = 4;
    private static final int TAG_DISK = 5;
    private static final int TAG_SNAPSHOT_IMAGE = 6;
    private static final int TAG_START_SNAPSHOT = 7;
    private static final int TAG_SLEEP = 8;
    private static final int TAG_CONFIG = 9;
    private static final int TAG_DIGEST_INTERVAL = 10;
    private static final int TAG_WRITER = 11;
    /** Repeated, one per boot file: role length (1 byte), role, SHA-256 (32 bytes), path (UTF-8). */
    private static final int TAG_BOOT_FILE = 12;
    private static final int TAG_APPEND = 13;
    private static final int TAG_HARTS = 14;
    private static final int TAG_RTC = 15;

    /** Header bytes: magic, version, fields and their CRC. */
    byte[] encode() {
        try {
            ByteArrayOutputStream fieldBytes = new ByteArrayOutputStream();
            DataOutputStream f = new DataOutputStream(fieldBytes);
            int count = 0;
            count += string(f, TAG_PROGRAM, programPath);
            count += bytes(f, TAG_PROGRAM_SHA, programSha256);
            count += bytes(f, TAG_RAM, ByteBuffer.allocate(8).putLong(ramSize).array());
            count += bytes(f, TAG_SHIFT, ByteBuffer.allocate(4).putInt(icountShift).array());
            count += string(f, TAG_DISK, diskPath);
            count += string(f, TAG_SNAPSHOT_IMAGE, snapshotImagePath);
            count += string(f, TAG_START_SNAPSHOT, startSnapshot);
            count += bytes(f, TAG_SLEEP, ByteBuffer.allocate(4).putInt(sleep ? 1 : 0).array());
            count += bytes(f, TAG_CONFIG, configDigest);
            count += bytes(f, TAG_DIGEST_INTERVAL, ByteBuffer.allocate(8).putLong(digestInterval).array());
            count += string(f, TAG_WRITER, writerVersion);
            for (BootFile b : bootFiles) {
                byte[] role = b.role().getBytes(StandardCharsets.UTF_8);
                byte[] path = b.path().getBytes(StandardCharsets.UTF_8);
                count += bytes(f, TAG_BOOT_FILE, ByteBuffer.allocate(1 + role.length + 32 + path.length)
                        .put((byte) role.length).put(role).put(b.sha256()).put(path).array());
            }
            count += string(f, TAG_APPEND, append);
            count += bytes(f, TAG_HARTS, ByteBuffer.allocate(4).putInt(harts).array());
            count += string(f, TAG_RTC, rtc);
            byte[] fields = fieldBytes.toByteArray();

            ByteArrayOutputStream all = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(all);
            out.write(MAGIC);
            out.writeShort(VERSION);
            out.writeInt(fields.length + 2);
            out.writeShort(count);
            out.write(fields);
            out.writeInt(crc(count, fields));
            return all.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
    }

    private static int crc(int count, byte[] fields) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(count >> 8);
        crc.update(count);
        crc.update(fields);
        return (int) crc.getValue();
    }

    private static int string(DataOutputStream out, int tag, String value) throws IOException {
        return value == null ? 0 : bytes(out, tag, value.getBytes(StandardCharsets.UTF_8));
    }

    private static int bytes(DataOutputStream out, int tag, byte[] value) throws IOException {
        if (value == null) {
            return 0;
        }
        out.writeShort(tag);
        out.writeInt(value.length);
        out.write(value);
        return 1;
    }

    /**
     * Decodes a header from the start of {@code file}; returns it and the offset of the first block.
     */
    static Decoded decode(ByteBuffer file) throws ReplayLogException {
        if (file.remaining() < MAGIC.length + 6) {
            throw new ReplayLogException("not a Rewind replay log: the file is too short for a header", 0);
        }
        byte[] magic = new byte[MAGIC.length];
        file.get(0, magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new ReplayLogException("not a Rewind replay log (bad magic)", 0);
        }
        int version = file.getShort(8) & 0xffff;
        if (version != VERSION) {
            throw new ReplayLogException("replay log version " + version + " is not supported (this Rewind reads version "
                    + VERSION + ")", 8);
        }
        long length = file.getInt(10) & 0xffffffffL;
        if (length < 2 || length > MAX_FIELDS_BYTES || 14 + length + 4 > file.limit()) {
            throw new ReplayLogException("replay log header is truncated or has a bad length " + length, 10);
        }
        int start = 14;
        int count = file.getShort(start) & 0xffff;
        byte[] fields = new byte[(int) length - 2];
        file.get(start + 2, fields);
        int storedCrc = file.getInt(start + (int) length);
        if (storedCrc != crc(count, fields)) {
            throw new ReplayLogException("replay log header is corrupt (CRC mismatch)", start);
        }
        Builder b = new Builder();
        ByteBuffer f = ByteBuffer.wrap(fields);
        for (int i = 0; i < count; i++) {
            if (f.remaining() < 6) {
                throw new ReplayLogException("replay log header field " + i + " is truncated", start + 2 + f.position());
            }
            int tag = f.getShort() & 0xffff;
            int size = f.getInt();
            if (size < 0 || size > f.remaining()) {
                throw new ReplayLogException("replay log header field " + tag + " has a bad size " + size,
                        start + 2 + f.position() - 4);
            }
            byte[] value = new byte[size];
            f.get(value);
            b.field(tag, value, start + 2 + f.position() - size);
        }
        if (b.programPath == null || b.programSha256 == null || b.ramSize <= 0 || b.configDigest == null) {
            throw new ReplayLogException("replay log header lacks the program or machine configuration", start);
        }
        return new Decoded(b.build(), start + length + 4);
    }

    record Decoded(ReplayLogHeader header, long blocksOffset) {
    }

    /** Collects decoded fields; unknown tags are skipped so newer writers stay readable. */
    private static final class Builder {
        String programPath;
        byte[] programSha256;
        long ramSize;
        int icountShift;
        String diskPath;
        String snapshotImagePath;
        String startSnapshot;
        boolean sleep;
        byte[] configDigest;
        long digestInterval;
        String writerVersion;
        final List<BootFile> bootFiles = new ArrayList<>();
        String append;
        int harts = 1;
        String rtc;

        void field(int tag, byte[] v, long offset) throws ReplayLogException {
            switch (tag) {
                case TAG_PROGRAM -> programPath = utf8(v);
                case TAG_PROGRAM_SHA -> programSha256 = fixed(v, 32, "program digest", offset);
                case TAG_RAM -> ramSize = ByteBuffer.wrap(fixed(v, 8, "RAM size", offset)).getLong();
                case TAG_SHIFT -> icountShift = ByteBuffer.wrap(fixed(v, 4, "icount shift", offset)).getInt();
                case TAG_DISK -> diskPath = utf8(v);
                case TAG_SNAPSHOT_IMAGE -> snapshotImagePath = utf8(v);
                case TAG_START_SNAPSHOT -> startSnapshot = utf8(v);
                case TAG_SLEEP -> sleep = ByteBuffer.wrap(fixed(v, 4, "idle mode", offset)).getInt() != 0;
                case TAG_CONFIG -> configDigest = fixed(v, 32, "configuration digest", offset);
                case TAG_DIGEST_INTERVAL -> digestInterval = ByteBuffer.wrap(fixed(v, 8, "digest interval", offset)).getLong();
                case TAG_WRITER -> writerVersion = utf8(v);
                case TAG_BOOT_FILE -> bootFiles.add(bootFile(v, offset));
                case TAG_APPEND -> append = utf8(v);
                case TAG_HARTS -> harts = ByteBuffer.wrap(fixed(v, 4, "hart count", offset)).getInt();
                case TAG_RTC -> rtc = utf8(v);
                default -> {
                    // a field from a newer writer: not needed to replay
                }
            }
        }

        private static BootFile bootFile(byte[] v, long offset) throws ReplayLogException {
            int roleLength = v.length > 0 ? v[0] & 0xff : 0;
            if (v.length < 1 + roleLength + 32) {
                throw new ReplayLogException("replay log header: a boot file entry is truncated", offset);
            }
            String role = new String(v, 1, roleLength, StandardCharsets.UTF_8);
            byte[] sha = Arrays.copyOfRange(v, 1 + roleLength, 1 + roleLength + 32);
            String path = new String(v, 1 + roleLength + 32, v.length - 1 - roleLength - 32, StandardCharsets.UTF_8);
            return new BootFile(role, path, sha);
        }

        private static String utf8(byte[] v) {
            return new String(v, StandardCharsets.UTF_8);
        }

        private static byte[] fixed(byte[] v, int size, String what, long offset) throws ReplayLogException {
            if (v.length != size) {
                throw new ReplayLogException("replay log header: " + what + " has " + v.length + " bytes, expected " + size, offset);
            }
            return v;
        }

        ReplayLogHeader build() {
            return new ReplayLogHeader(programPath, programSha256, ramSize, icountShift, diskPath, snapshotImagePath,
                    startSnapshot, sleep, configDigest, digestInterval, writerVersion, bootFiles, append, harts, rtc);
        }
    }

    public String programSha256Hex() {
        return HexFormat.of().formatHex(programSha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplayLogHeader h && Arrays.equals(encode(), h.encode());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return "ReplayLogHeader[program=" + programPath + ", ram=" + ramSize + ", shift=" + icountShift + ", disk=" + diskPath
                + ", snapshotImage=" + snapshotImagePath + ", start=" + startSnapshot + ", sleep=" + sleep
                + ", boot=" + bootFiles.stream().map(b -> b.role() + ":" + b.path()).toList()
                + (append == null ? "" : ", append=" + append) + (rtc == null ? "" : ", rtc=" + rtc) + "]";
    }
}
