package dev.rewind.replay.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A replay log read into memory. Damage after the header does not make it unusable: the events
 * before the damage are kept and {@link #damage()} says what happened and where, so a replay can
 * run up to the last whole event and stop with that message.
 */
public final class ReplayLog {

    /** Logs larger than this are refused rather than read into memory. */
    static final long MAX_SIZE = 1L << 30;

    private final ReplayLogHeader header;
    private final List<ReplayEvent> events;
    private final String damage;
    private final long size;

    private ReplayLog(ReplayLogHeader header, List<ReplayEvent> events, String damage, long size) {
        this.header = header;
        this.events = Collections.unmodifiableList(events);
        this.damage = damage;
        this.size = size;
    }

    public static ReplayLog read(Path file) throws ReplayLogException {
        ByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_SIZE) {
                throw new ReplayLogException(file + " is " + size + " bytes, more than a replay log can be", -1);
            }
            buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read it all
            }
            buf.flip();
        } catch (NoSuchFileException e) {
            throw new ReplayLogException("replay log " + file + " does not exist", -1);
        } catch (ReplayLogException e) {
            throw e;
        } catch (IOException e) {
            throw new ReplayLogException("cannot read replay log " + file + ": " + e.getMessage(), -1);
        }
        return parse(buf);
    }

    static ReplayLog parse(ByteBuffer buf) throws ReplayLogException {
        ReplayLogHeader.Decoded decoded = ReplayLogHeader.decode(buf);
        List<ReplayEvent> events = new ArrayList<>();
        String damage = null;
        long pos = decoded.blocksOffset();
        long lastIcount = 0;
        CRC32C crc = new CRC32C();
        while (pos < buf.limit()) {
            if (buf.limit() - pos < ReplayLogWriter.BLOCK_HEADER) {
                damage = "the log ends inside a block header at byte " + pos + " (the recording was cut short)";
                break;
            }
            int p = (int) pos;
            int magic = buf.getInt(p);
            long length = buf.getInt(p + 4) & 0xffffffffL;
            int storedCrc = buf.getInt(p + 8);
            long base = buf.getLong(p + 12);
            if (magic != ReplayLogWriter.BLOCK_MAGIC || length > ReplayLogWriter.BLOCK_TARGET + 64 || base != lastIcount) {
                damage = "block header at byte " + pos + " is corrupt";
                break;
            }
            long payloadStart = pos + ReplayLogWriter.BLOCK_HEADER;
            long available = buf.limit() - payloadStart;
            if (available < length) {
                // Cut short: the prefix is exactly what the writer appended, so its whole events are good.
                ParseResult partial = parseEvents(buf, (int) payloadStart, (int) available, lastIcount, events, false);
                damage = "the log ends inside the block at byte " + pos + " (the recording was cut short); "
                        + partial.count + " more events were readable";
                break;
            }
            crc.reset();
            crc.update(buf.slice((int) payloadStart, (int) length));
            if ((int) crc.getValue() != storedCrc) {
                damage = "block at bytes " + pos + ".." + (payloadStart + length - 1) + " is corrupt (CRC mismatch)";
                break;
            }
            ParseResult r = parseEvents(buf, (int) payloadStart, (int) length, lastIcount, events, true);
            if (r.error != null) {
                damage = r.error;
                break;
            }
            lastIcount = r.lastIcount;
            pos = payloadStart + length;
        }
        if (damage == null && (events.isEmpty() || events.get(events.size() - 1).kind() != EventKind.END)) {
            damage = "the log has no END event at byte " + buf.limit() + " (the recording was cut short)";
        }
        return new ReplayLog(decoded.header(), events, damage, buf.limit());
    }

    private record ParseResult(int count, long lastIcount, String error) {
    }

    /**
     * Parses events in [start, start+len). In a complete block a malformed event is damage; in a
     * cut-short block the parse just stops at the first incomplete event.
     */
    private static ParseResult parseEvents(ByteBuffer buf, int start, int len, long icount, List<ReplayEvent> out,
            boolean complete) {
        int end = start + len;
        int p = start;
        int count = 0;
        List<ReplayEvent> pending = new ArrayList<>();
        while (p < end) {
            int eventStart = p;
            EventKind kind = EventKind.of(buf.get(p++) & 0xff);
            if (kind == null) {
                return fail(out, pending, complete, count, icount, "unknown event kind at byte " + eventStart);
            }
            long[] v = new long[1];
            p = varint(buf, p, end, v);
            if (p < 0) {
                return fail(out, pending, complete, count, icount, "truncated event at byte " + eventStart);
            }
            long at = icount + v[0];
            long value = 0;
            byte[] data = null;
            switch (kind) {
                case UART_RX, UART_RX_IDLE -> {
                    if (p >= end) {
                        return fail(out, pending, complete, count, icount, "truncated event at byte " + eventStart);
                    }
                    value = buf.get(p++) & 0xff;
                }
                case BLOCK_DONE, BLOCK_DONE_IDLE -> {
                    p = varint(buf, p, end, v);
                    value = v[0];
                }
                case WARP -> {
                    p = varint(buf, p, end, v);
                    value = v[0] - 1;
                }
                case HOST_CLOCK -> {
                    if (p + 8 > end) {
                        return fail(out, pending, complete, count, icount, "truncated event at byte " + eventStart);
                    }
                    value = buf.getLong(p);
                    p += 8;
                }
                case DIGEST -> {
                    if (p + 32 > end) {
                        return fail(out, pending, complete, count, icount, "truncated event at byte " + eventStart);
                    }
                    data = new byte[32];
                    buf.get(p, data);
                    p += 32;
                }
                case EXIT -> {
                    p = varint(buf, p, end, v);
                    if (p < 0 || p + 32 > end) {
                        return fail(out, pending, complete, count, icount, "truncated event at byte " + eventStart);
                    }
                    value = (v[0] >>> 1) ^ -(v[0] & 1);
                    data = new byte[32];
                    buf.get(p, data);
                    p += 32;
                }
                case END -> {
                    // no body
                }
            }
            if (p < 0) {
                return fail(out, pending, complete, count, icount, "truncated event at byte " + eventStart);
            }
            pending.add(new ReplayEvent(at, kind, value, data));
            icount = at;
            count++;
        }
        out.addAll(pending);
        return new ParseResult(count, icount, null);
    }

    private static ParseResult fail(List<ReplayEvent> out, List<ReplayEvent> pending, boolean complete, int count,
            long icount, String error) {
        if (complete) {
            // A block whose CRC matched but does not parse was written by something else: use none of it.
            return new ParseResult(0, icount, error);
        }
        out.addAll(pending);
        return new ParseResult(count, icount, null);
    }

    /** Reads a varint at p into v[0]; returns the next position, or -1 if it runs past end or is too long. */
    private static int varint(ByteBuffer buf, int p, int end, long[] v) {
        if (p < 0) {
            return -1;
        }
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (p >= end) {
                return -1;
            }
            int b = buf.get(p++) & 0xff;
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                v[0] = result;
                return p;
            }
        }
        return -1;
    }

    public ReplayLogHeader header() {
        return header;
    }

    public List<ReplayEvent> events() {
        return events;
    }

    /** Null for an intact log; otherwise what is damaged and where. */
    public String damage() {
        return damage;
    }

    /** True if the recording ended properly (an END event is present). */
    public boolean isComplete() {
        return !events.isEmpty() && events.get(events.size() - 1).kind() == EventKind.END;
    }

    /** The icount where this log's history ends: the END event, or the last whole event. */
    public long endIcount() {
        return events.isEmpty() ? 0 : events.get(events.size() - 1).icount();
    }

    public long sizeBytes() {
        return size;
    }
}
