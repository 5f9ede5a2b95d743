package dev.rewind.replay;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.CRC32;

import dev.rewind.replay.log.ReplayLog;
import dev.rewind.replay.log.ReplayLogException;
import dev.rewind.replay.log.ReplayLogHeader;

/**
 * A one-file recording ({@code .rwd}): the replay log and every file its header names (the
 * program and boot files, the disk, the snapshot image with the start and persisted
 * snapshots), so that it replays on another machine with nothing else. Unpacked, the files lie
 * beside the log under their own names, where the replay looks for files that moved.
 *
 * <p>Layout (big-endian): magic {@code RWNDPACK}, version u32 = 1; then per file: tag 'F', role
 * u8, name length u16, name (UTF-8), size u64, CRC-32 of the data u32, the data; then tag 'E',
 * the file count u32 and the CRC-32 of every byte before it u32. Any damage (a flipped byte, a
 * cut) is refused with the byte offset where reading found it.
 */
public final class RecordingPack {

    static final byte[] MAGIC = "RWNDPACK".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final long MAX_NAME = 4096;

    /** What a packed file is to the recording. */
    public enum Role { LOG, PROGRAM, DISK, SNAPSHOT_IMAGE, BOOT }

    /** One packed file. */
    public record Entry(Role role, String name, long size) {
    }

    private RecordingPack() {
    }

    /**
     * True if {@code file} starts with the pack magic, or is a pack cut inside it (past the
     * "RWND" it shares with replay logs): then unpacking says where it ends.
     */
    public static boolean isPack(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAGIC.length);
            return b.length > 4 && java.util.Arrays.equals(b, 0, b.length, MAGIC, 0, b.length);
        }
    }

    /** Packs {@code log} and the files its header names into {@code out}; returns what went in. */
    public static List<Entry> pack(Path log, Path out) throws IOException, ReplayLogException {
        ReplayLogHeader h = ReplayLog.read(log).header();
        List<Path> files = new ArrayList<>();
        List<Role> roles = new ArrayList<>();
        files.add(log);
        roles.add(Role.LOG);
        add(files, roles, Role.PROGRAM, log, h.programPath());
        for (ReplayLogHeader.BootFile f : h.bootFiles()) {
            add(files, roles, Role.BOOT, log, f.path());
        }
        add(files, roles, Role.DISK, log, h.diskPath());
        add(files, roles, Role.SNAPSHOT_IMAGE, log, h.snapshotImagePath());
        List<Entry> entries = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        CRC32 all = new CRC32();
        try (OutputStream raw = Files.newOutputStream(tmp);
                DataOutputStream d = new DataOutputStream(new java.io.BufferedOutputStream(new CrcStream(raw, all), 1 << 16))) {
            d.write(MAGIC);
            d.writeInt(VERSION);
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                String name = f.getFileName().toString();
                if (!names.add(name)) {
                    name = roles.get(i).name().toLowerCase() + "-" + name;
                    names.add(name);
                }
                byte[] nb = name.getBytes(StandardCharsets.UTF_8);
                long size = Files.size(f);
                d.writeByte('F');
                d.writeByte(roles.get(i).ordinal());
                d.writeShort(nb.length);
                d.write(nb);
                d.writeLong(size);
                d.writeInt((int) crcOf(f));
                try (InputStream in = Files.newInputStream(f)) {
                    if (in.transferTo(d) != size) {
                        throw new IOException(f + " changed while it was packed");
                    }
                }
                entries.add(new Entry(roles.get(i), name, size));
            }
            d.writeByte('E');
            d.writeInt(files.size());
            d.flush();
            long crc = all.getValue();
            raw.write(ByteBuffer.allocate(4).putInt((int) crc).array());
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return entries;
    }

    private static void add(List<Path> files, List<Role> roles, Role role, Path log, String path) throws IOException {
        if (path == null) {
            return;
        }
        Path p = Timeline.resolve(log, path);
        if (!Files.isRegularFile(p)) {
            throw new IOException("the recording names " + role.name().toLowerCase().replace('_', ' ') + " " + path
                    + ", which is not there to pack");
        }
        if (!files.contains(p) && files.stream().noneMatch(q -> isSame(q, p))) {
            files.add(p);
            roles.add(role);
        }
    }

    private static boolean isSame(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    private static long crcOf(Path f) throws IOException {
        CRC32 c = new CRC32();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0;) {
                c.update(buf, 0, n);
            }
        }
        return c.getValue();
    }

    /** A recording ready for replay: the log and the program, unpacked into a folder of its own if it came packed. */
    public record Opened(Path log, Path program, Path folder) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (folder != null) {
                try (var s = Files.walk(folder)) {
                    for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** A plain log as it is; a pack unpacked (and checked) into a new temporary folder. */
    public static Opened openForReplay(Path file) throws IOException, ReplayLogException {
        if (!isPack(file)) {
            return new Opened(file, null, null);
        }
        Path folder = Files.createTempDirectory("rewind-pack");
        try {
            List<Entry> entries = unpack(file, folder);
            Path log = null;
            Path program = null;
            for (Entry e : entries) {
                if (e.role() == Role.LOG) {
                    log = folder.resolve(e.name());
                } else if (e.role() == Role.PROGRAM) {
                    program = folder.resolve(e.name());
                }
            }
            if (log == null) {
                throw new ReplayLogException(file + ": the pack holds no replay log", -1);
            }
            return new Opened(log, program, folder);
        } catch (IOException | RuntimeException e) {
            new Opened(null, null, folder).close();
            throw e;
        }
    }

    /** Unpacks into {@code folder}, checking every CRC; refuses damage with its byte offset. */
    public static List<Entry> unpack(Path pack, Path folder) throws IOException, ReplayLogException {
        List<Entry> entries = new ArrayList<>();
        CRC32 all = new CRC32();
        long size = Files.size(pack);
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(pack), 1 << 16)) {
            Reader r = new Reader(raw, all, pack, size);
            byte[] magic = r.bytes(MAGIC.length, "magic");
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw r.damage(0, "not a Rewind pack (bad magic)");
            }
            int version = r.u32("version");
            if (version != VERSION) {
                throw r.damage(8, "pack version " + version + " is not supported (this Rewind reads " + VERSION + ")");
            }
            while (true) {
                long at = r.offset;
                int tag = r.u8("entry tag");
                if (tag == 'E') {
                    int count = r.u32("file count");
                    long expected = all.getValue();
                    long crcAt = r.offset;
                    int crc = r.u32NoCrc("pack checksum");
                    if (count != entries.size()) {
                        throw r.damage(at, "the end record counts " + count + " files, the pack holds " + entries.size());
                    }
                    if ((int) expected != crc) {
                        throw r.damage(crcAt, "pack checksum mismatch");
                    }
                    if (r.offset != size) {
                        throw r.damage(r.offset, (size - r.offset) + " bytes after the end of the pack");
                    }
                    return entries;
                }
                if (tag != 'F') {
                    throw r.damage(at, "expected a file entry, found byte 0x" + Integer.toHexString(tag));
                }
                int role = r.u8("role");
                if (role >= Role.values().length) {
                    throw r.damage(at + 1, "unknown file role " + role);
                }
                int nameLength = r.u16("name length");
                if (nameLength == 0 || nameLength > MAX_NAME) {
                    throw r.damage(at + 2, "impossible name length " + nameLength);
                }
                String name = new String(r.bytes(nameLength, "name"), StandardCharsets.UTF_8);
                if (name.contains("/") || name.contains("\\") || name.equals("..") || name.equals(".")) {
                    throw r.damage(at + 4, "file name '" + name + "' is not a plain name");
                }
                long fileSize = r.u64("file size");
                if (fileSize < 0 || fileSize > size - r.offset) {
                    throw r.damage(r.offset - 8, "file '" + name + "' claims " + fileSize + " bytes, the pack has "
                            + Math.max(0, size - r.offset - 4) + " left (truncated?)");
                }
                int crc = r.u32("file checksum");
                long dataAt = r.offset;
                CRC32 fileCrc = new CRC32();
                try (OutputStream o = Files.newOutputStream(folder.resolve(name))) {
                    r.copy(fileSize, o, fileCrc, name);
                }
                if ((int) fileCrc.getValue() != crc) {
                    throw r.damage(dataAt, "file '" + name + "' is damaged (checksum mismatch in bytes " + dataAt + ".."
                            + (dataAt + fileSize - 1) + ")");
                }
                entries.add(new Entry(Role.values()[role], name, fileSize));
            }
        }
    }

    /** Reads the pack, keeping the offset and the running CRC. */
    private static final class Reader {
        private final InputStream in;
        private final CRC32 crc;
        private final Path pack;
        private final long size;
        long offset;

        Reader(InputStream in, CRC32 crc, Path pack, long size) {
            this.in = in;
            this.crc = crc;
            this.pack = pack;
            this.size = size;
        }

        ReplayLogException damage(long at, String why) {
            return new ReplayLogException(pack + ": damaged pack: " + why, at);
        }

        byte[] bytes(int n, String what) throws IOException, ReplayLogException {
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw damage(offset + b.length, "the pack ends inside the " + what + " (truncated at " + size + " bytes)");
            }
            crc.update(b);
            offset += n;
            return b;
        }

        int u8(String what) throws IOException, ReplayLogException {
            return bytes(1, what)[0] & 0xff;
        }

        int u16(String what) throws IOException, ReplayLogException {
            return ByteBuffer.wrap(bytes(2, what)).getShort() & 0xffff;
        }

        int u32(String what) throws IOException, ReplayLogException {
            return ByteBuffer.wrap(bytes(4, what)).getInt();
        }

        int u32NoCrc(String what) throws IOException, ReplayLogException {
            byte[] b = in.readNBytes(4);
            if (b.length < 4) {
                throw damage(offset + b.length, "the pack ends inside the " + what + " (truncated at " + size + " bytes)");
            }
            offset += 4;
            return ByteBuffer.wrap(b).getInt();
        }

        long u64(String what) throws IOException, ReplayLogException {
            return ByteBuffer.wrap(bytes(8, what)).getLong();
        }

        void copy(long n, OutputStream out, CRC32 fileCrc, String name) throws IOException, ReplayLogException {
            byte[] buf = new byte[1 << 16];
            long left = n;
            while (left > 0) {
                int k = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (k < 0) {
                    throw damage(offset, "the pack ends inside file '" + name + "' (truncated at " + size + " bytes)");
                }
                crc.update(buf, 0, k);
                fileCrc.update(buf, 0, k);
                out.write(buf, 0, k);
                offset += k;
                left -= k;
            }
        }
    }

    /** Feeds every byte written through it into a CRC. */
    private static final class CrcStream extends java.io.FilterOutputStream {
        private final CRC32 crc;

        CrcStream(OutputStream out, CRC32 crc) {
            super(out);
            this.crc = crc;
        }

        @Override
        public void write(int b) throws IOException {
            crc.update(b);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            crc.update(b, off, len);
            out.write(b, off, len);
        }
    }
}
