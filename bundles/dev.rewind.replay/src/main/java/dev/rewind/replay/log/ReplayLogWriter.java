package dev.rewind.replay.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Appends events to a replay log in CRC-protected blocks (docs/replay-log.md). Only appends:
 * a crash leaves every block written so far intact and loses at most the one being filled.
 * Not thread-safe; the recorder calls it from the machine's thread.
 */
public final class ReplayLogWriter implements Closeable {

    static final int BLOCK_MAGIC = 0x524C4231; // "RLB1"
    static final int BLOCK_HEADER = 20;
    /** A block is written out once its payload reaches this size. */
    static final int BLOCK_TARGET = 4096;

    private final FileChannel channel;
    private final ByteBuffer payload = ByteBuffer.allocate(BLOCK_TARGET + 64);
    private final ByteBuffer blockHeader = ByteBuffer.allocate(BLOCK_HEADER);
    private final CRC32C crc = new CRC32C();
    private long blockBase;
    private long lastIcount;
    private long events;
    private boolean closed;

    private ReplayLogWriter(FileChannel channel) {
        this.channel = channel;
    }

    /** Creates (or replaces) {@code file} and writes the header. */
    public static ReplayLogWriter create(Path file, ReplayLogHeader header) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            writeFully(ch, ByteBuffer.wrap(header.encode()));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new ReplayLogWriter(ch);
    }

    /** Appends an event without a digest. */
    public void append(long icount, EventKind kind, long value) throws IOException {
        append(icount, kind, value, null);
    }

    /**
     * Appends an event. Events must come in icount order; DIGEST and EXIT carry a 32-byte digest.
     */
    public void append(long icount, EventKind kind, long value, byte[] digest) throws IOException {
        if (closed) {
            throw new IOException("replay log is closed");
        }
        if (icount < lastIcount) {
            throw new IllegalArgumentException("event at icount " + icount + " after one at " + lastIcount);
        }
        if (payload.position() >= BLOCK_TARGET) {
            flush();
        }
        payload.put((byte) kind.code());
        putVarint(icount - lastIcount);
        switch (kind) {
            case UART_RX, UART_RX_IDLE -> payload.put((byte) value);
            case BLOCK_DONE, BLOCK_DONE_IDLE -> putVarint(value);
            case WARP -> putVarint(value + 1);
            case HOST_CLOCK -> payload.putLong(value);
            case DIGEST -> payload.put(digest, 0, 32);
            case EXIT -> {
                putVarint((value << 1) ^ (value >> 63));
                payload.put(digest, 0, 32);
            }
            case END -> {
                // no body
            }
        }
        lastIcount = icount;
        events++;
    }

    private void putVarint(long v) {
        while ((v & ~0x7fL) != 0) {
            payload.put((byte) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        payload.put((byte) v);
    }

    /** Writes the events buffered so far as one block (no-op if none). */
    public void flush() throws IOException {
        if (payload.position() == 0) {
            return;
        }
        payload.flip();
        crc.reset();
        crc.update(payload.duplicate());
        blockHeader.clear();
        blockHeader.putInt(BLOCK_MAGIC).putInt(payload.remaining()).putInt((int) crc.getValue()).putLong(blockBase);
        blockHeader.flip();
        writeFully(channel, blockHeader);
        writeFully(channel, payload);
        payload.clear();
        blockBase = lastIcount;
    }

    /** Number of events appended so far. */
    public long events() {
        return events;
    }

    /** Flushes, forces the file to disk and closes it. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
            channel.force(true);
        } finally {
            closed = true;
            channel.close();
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
