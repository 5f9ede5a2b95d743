package dev.rewind.replay.query;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import dev.rewind.replay.SidecarFile;

/**
 * A query index saved beside its recording ({@code RUN.rrlog.qindex}), so that the next process
 * that queries the recording reads it instead of replaying the whole recording again; the
 * indexing process reads it back too (from a temporary file without one), so there is one
 * reading path.
 *
 * <p>Layout: a magic line, the format version, the key (the recording log's size and SHA-256, which
 * also covers the boot files and program whose SHA-256 the log's header holds and the replay checks;
 * the engine's snapshot interval and write-log budget), the offset, length and CRC-32C of three
 * sections (summary: interval bounds, satp writes; events; the page directory), the header's own
 * CRC-32C; then the sections and one block per RAM page (the intervals that wrote it, the lines the
 * log does not cover, its logged changes), each with its CRC-32C in the directory. Opening reads
 * and checks the header, the summary and the directory (a few hundred KB for a 1e10-instruction
 * Linux recording, not the log's hundreds of MB); a page's block and the events are read and
 * checked when a query first needs them. A file whose key differs is stale, one that does not read
 * back whole and consistent is damaged: either way the engine says why, builds the index again by
 * replaying and replaces the file. The file is written to a temporary name and moved over the old
 * one, so a reader never sees half of it; the recording itself is only read.
 */
final class IndexFile {

    static final String SUFFIX = ".qindex";
    private static final byte[] MAGIC = "rewind query index\n".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 3;
    /** Bytes of a directory entry: page, CRC-32C, offset, length. */
    private static final int DIR_ENTRY = 20;

    /** Why a saved index cannot be used: stale or damaged, in words. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String why) {
            super(why);
        }
    }

    /** A part of an opened index found damaged when a query first read it. */
    static final class DamagedPart extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DamagedPart(String why) {
            super(why);
        }
    }

    private IndexFile() {
    }

    /** Where the index of {@code log} is kept. */
    static Path beside(Path log) {
        return log.resolveSibling(log.getFileName() + SUFFIX);
    }

    /** What an index depends on, as text (one "name value" per line). */
    static String key(Path log, long interval, WriteLog.Budget budget) throws IOException {
        SidecarFile.Digest d = SidecarFile.digest(log);
        return "recording-size " + d.size() + "\nrecording-sha256 " + d.sha256()
                + "\nsnapshot-interval " + interval + "\nwrite-log-budget " + budget.key() + "\n";
    }

    /** Writes what {@code index} learnt to {@code file} (via a temporary name). */
    static void write(Path file, String key, IndexRecorder index) throws IOException {
        Path tmp = SidecarFile.temporary(file);
        try {
            writeTo(tmp, key, index);
            SidecarFile.replace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeTo(Path file, String key, IndexRecorder index) throws IOException {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        int headerSize = MAGIC.length + 4 + 4 + keyBytes.length + 3 * 20 + 4;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.position(headerSize);
            long[] summary = section(ch, out -> writeSummary(out, index));
            long[] events = section(ch, out -> writeEvents(out, index.events));
            WriteLog log = index.writes;
            ByteBuffer dir = ByteBuffer.allocate(4 + DIR_ENTRY * log.pages());
            int pages = 0;
            dir.putInt(0);
            for (int p = 0; p < log.pages(); p++) {
                int[] written = index.intervalsOf(p);
                if (written.length == 0 && !log.hasPage(p)) {
                    continue;
                }
                final int page = p;
                long[] block = section(ch, out -> {
                    out.writeInts(written, written.length);
                    log.writePage(out, page);
                });
                dir.putInt(p).putInt((int) block[2]).putLong(block[0]).putInt((int) block[1]);
                pages++;
            }
            dir.putInt(0, pages);
            dir.flip();
            long[] directory = section(ch, out -> out.write(dir.array(), 0, dir.limit()));
            ByteBuffer h = ByteBuffer.allocate(headerSize);
            h.put(MAGIC).putInt(VERSION).putInt(keyBytes.length).put(keyBytes);
            for (long[] sec : new long[][] {summary, events, directory}) {
                h.putLong(sec[0]).putLong(sec[1]).putInt((int) sec[2]);
            }
            CRC32C crc = new CRC32C();
            crc.update(h.array(), 0, h.position());
            h.putInt((int) crc.getValue());
            h.flip();
            for (long at = 0; h.hasRemaining();) {
                at += ch.write(h, at);
            }
        }
    }

    private interface Body {
        void write(Out out) throws IOException;
    }

    /** Appends a section at the channel's position: its offset, length and CRC-32C. */
    private static long[] section(FileChannel ch, Body body) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (Out out = new Out(bytes)) {
            body.write(out);
        }
        byte[] b = bytes.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(b);
        long at = ch.position();
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        return new long[] {at, b.length, crc.getValue()};
    }

    private static void writeSummary(Out out, IndexRecorder index) throws IOException {
        int captures = index.captures;
        out.writeLongs(index.bounds, captures);
        out.writeBoolean(index.translated);
        out.writeInts(index.running, captures);
        out.writeInt(index.hartCount());
        for (int h = 0; h < index.hartCount(); h++) {
            out.writeLong(index.satpStart[h]);
            out.writeLongs(index.satpAt[h], index.satpChanges[h]);
            out.writeLongs(index.satpValue[h], index.satpChanges[h]);
        }
        long[] all = index.allPagesIntervals.stream().mapToLong(Long::longValue).toArray();
        out.writeLongs(all, all.length);
        out.writeInt(index.writes.fullFrom());
        out.writeInt(index.writes.pages());
        out.writeInt(index.writes.size());
    }

    private static void writeEvents(Out out, java.util.List<QueryEvent> events) throws IOException {
        out.writeInt(events.size());
        for (QueryEvent e : events) {
            out.writeLong(e.icount());
            out.writeInt(e.kind().ordinal());
            out.writeLong(e.pc());
            out.writeInt(e.fromPrivilege());
            out.writeInt(e.toPrivilege());
            out.writeLong(e.value());
            out.writeString(e.detail() == null ? "" : e.detail());
            out.writeInt(e.hart());
        }
    }

    /** An opened index: its checked header, summary and directory; the rest read on demand. */
    static final class Opened implements AutoCloseable {
        final ByteBuffer all;
        final In summary;
        private final long[] eventsSection;
        private final ByteBuffer dir;
        private final int dirEntries;
        private final FileChannel channel;

        private Opened(FileChannel channel, ByteBuffer all, In summary, long[] events, ByteBuffer dir, int dirEntries) {
            this.channel = channel;
            this.all = all;
            this.summary = summary;
            this.eventsSection = events;
            this.dir = dir;
            this.dirEntries = dirEntries;
        }

        /** The events section, checked. */
        In events() {
            try {
                return checked(all, eventsSection, "events");
            } catch (Unusable e) {
                throw new DamagedPart(e.getMessage());
            }
        }

        /** Page {@code p}'s block, checked; null if it has none. */
        In page(int p) {
            int lo = 0;
            int hi = dirEntries - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int at = 4 + mid * DIR_ENTRY;
                int q = dir.getInt(at);
                if (q < p) {
                    lo = mid + 1;
                } else if (q > p) {
                    hi = mid - 1;
                } else {
                    long[] sec = {dir.getLong(at + 8), dir.getInt(at + 16) & 0xffffffffL, dir.getInt(at + 4) & 0xffffffffL};
                    try {
                        return checked(all, sec, "page " + p);
                    } catch (Unusable e) {
                        throw new DamagedPart(e.getMessage());
                    }
                }
            }
            return null;
        }

        /** Where page {@code p}'s block lies in the file, or -1 (tests: to damage it). */
        long pageOffset(int p) {
            for (int i = 0; i < dirEntries; i++) {
                if (dir.getInt(4 + i * DIR_ENTRY) == p) {
                    return dir.getLong(4 + i * DIR_ENTRY + 8);
                }
            }
            return -1;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** The section {@code sec} (offset, length, CRC-32C) of {@code all}, if its CRC matches. */
    private static In checked(ByteBuffer all, long[] sec, String what) throws Unusable {
        if (sec[0] < 0 || sec[1] < 0 || sec[0] + sec[1] > all.limit()) {
            throw new Unusable("is damaged: its " + what + " lies outside the file");
        }
        ByteBuffer b = all.duplicate().position((int) sec[0]).limit((int) (sec[0] + sec[1])).slice();
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate());
        if ((crc.getValue() & 0xffffffffL) != sec[2]) {
            throw new Unusable("is damaged: the checksum of its " + what + " does not match");
        }
        return new In(b);
    }

    /**
     * Opens the index saved in {@code file}; Unusable if stale, or if its header, summary or
     * directory is damaged (the other parts are checked when first read).
     */
    static Opened open(Path file, String key) throws IOException, Unusable {
        FileChannel ch;
        ByteBuffer all;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw e;
            }
            throw new Unusable("cannot be read: " + e.getMessage());
        }
        try {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new Unusable("is too large");
            }
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            byte[] magic = new byte[Math.min(MAGIC.length, all.limit())];
            all.get(0, magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new Unusable("is not a query index");
            }
            In in = new In(all.duplicate().position(MAGIC.length));
            int version = in.readInt();
            if (version != VERSION) {
                throw new Unusable("has format " + version + ", not " + VERSION);
            }
            int keyLength = in.readInt();
            in.expect(keyLength >= 0 && keyLength <= 4096, "key length");
            byte[] k = new byte[keyLength];
            in.buf.get(k);
            long[][] secs = new long[3][];
            for (int i = 0; i < 3; i++) {
                secs[i] = new long[] {in.readLong(), in.readLong(), in.readInt() & 0xffffffffL};
            }
            int headerEnd = in.buf.position();
            CRC32C crc = new CRC32C();
            crc.update(all.duplicate().position(0).limit(headerEnd));
            if ((int) crc.getValue() != in.readInt()) {
                throw new Unusable("is damaged: the checksum of its header does not match");
            }
            String saved = new String(k, StandardCharsets.UTF_8);
            if (!saved.equals(key)) {
                throw new Unusable("is stale: " + difference(saved, key));
            }
            In summary = checked(all, secs[0], "summary");
            In dir = checked(all, secs[2], "page directory");
            int entries = dir.readInt();
            in.expect(entries >= 0 && 4 + (long) entries * DIR_ENTRY == dir.buf.limit(), "page directory");
            int last = -1;
            for (int i = 0; i < entries; i++) {
                int p = dir.buf.getInt(4 + i * DIR_ENTRY);
                in.expect(p > last, "page directory");
                last = p;
            }
            Opened o = new Opened(ch, all, summary, secs[1], dir.buf, entries);
            ch = null;
            return o;
        } catch (BufferUnderflowException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new Unusable("is damaged: it ends early");
        } catch (Damaged e) {
            throw new Unusable("is damaged: " + e.getMessage());
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** The first line that differs, as "NAME was A, is B". */
    private static String difference(String saved, String now) {
        String[] a = saved.split("\n");
        String[] b = now.split("\n");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "";
            String y = i < b.length ? b[i] : "";
            if (!x.equals(y)) {
                String name = y.contains(" ") ? y.substring(0, y.indexOf(' ')) : x;
                return name + " was " + x.substring(x.indexOf(' ') + 1) + ", is " + y.substring(y.indexOf(' ') + 1);
            }
        }
        return "its key differs";
    }

    /** A value that cannot be right. */
    static final class Damaged extends IOException {
        private static final long serialVersionUID = 1L;

        Damaged(String what) {
            super(what);
        }
    }

    /** The writing side: DataOutput plus arrays in bulk. */
    static final class Out extends DataOutputStream {
        private final ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);

        Out(OutputStream out) {
            super(out);
        }

        /** Length and UTF-8 bytes. */
        void writeString(String v) throws IOException {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            writeInt(b.length);
            write(b);
        }

        void writeLongs(long[] a, int n) throws IOException {
            writeInt(n);
            for (int i = 0; i < n;) {
                chunk.clear();
                int m = Math.min(n - i, chunk.capacity() / 8);
                chunk.asLongBuffer().put(a, i, m);
                write(chunk.array(), 0, m * 8);
                i += m;
            }
        }

        void writeInts(int[] a, int n) throws IOException {
            writeInt(n);
            for (int i = 0; i < n;) {
                chunk.clear();
                int m = Math.min(n - i, chunk.capacity() / 4);
                chunk.asIntBuffer().put(a, i, m);
                write(chunk.array(), 0, m * 4);
                i += m;
            }
        }
    }

    /** The reading side, over the mapped file: values, arrays in bulk, consistency checks. */
    static final class In {
        final ByteBuffer buf;

        In(ByteBuffer buf) {
            this.buf = buf.order(ByteOrder.BIG_ENDIAN);
        }

        /** Damaged unless {@code ok}. */
        void expect(boolean ok, String what) throws IOException {
            if (!ok) {
                throw new Damaged("bad " + what);
            }
        }

        int readInt() {
            return buf.getInt();
        }

        long readLong() {
            return buf.getLong();
        }

        boolean readBoolean() {
            return buf.get() != 0;
        }

        String readString() throws IOException {
            int n = buf.getInt();
            expect(n >= 0 && n <= buf.remaining(), "string length");
            byte[] b = new byte[n];
            buf.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        long[] readLongs(int expected) throws IOException {
            return readLongs(expected, expected);
        }

        /** An array of at most {@code bound} longs. */
        long[] readLongsUpTo(int bound) throws IOException {
            return readLongs(-1, bound);
        }

        private long[] readLongs(int expected, int bound) throws IOException {
            int n = buf.getInt();
            expect((expected < 0 ? n >= 0 && n <= bound : n == expected) && (long) n * 8 <= buf.remaining(), "array length");
            long[] a = new long[n];
            buf.asLongBuffer().get(a);
            buf.position(buf.position() + n * 8);
            return a;
        }

        /** An array of at most {@code bound} ints. */
        int[] readIntsUpTo(int bound) throws IOException {
            int n = buf.getInt();
            expect(n >= 0 && n <= bound && (long) n * 4 <= buf.remaining(), "array length");
            int[] a = new int[n];
            buf.asIntBuffer().get(a);
            buf.position(buf.position() + n * 4);
            return a;
        }

        int[] readInts(int expected) throws IOException {
            int n = buf.getInt();
            expect(n == expected && (long) n * 4 <= buf.remaining(), "array length");
            int[] a = new int[n];
            buf.asIntBuffer().get(a);
            buf.position(buf.position() + n * 4);
            return a;
        }
    }
}
