package dev.rewind.replay;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.TreeMap;

import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.StateFormatException;

/**
 * What Rewind stores in a qcow2 snapshot's vmstate area: the machine state and the replay
 * position at that instant (how many log events had been consumed, the guest's console output
 * so far), so that a replay can start from, or jump to, any persisted snapshot exactly, as QEMU
 * keeps the log offset in its snapshots. The console is kept because the log holds only the
 * guest's inputs: a replay that jumps ahead has not seen the output in between.
 *
 * <pre>magic "RWVMST02", u64 events consumed, u32 console length, console bytes,
 * u32 state length, MachineState.encode() bytes, SHA-256 of everything after the magic</pre>
 *
 * A machine with a disk is saved as version 3, "RWVMST03": the same, and before the digest the
 * disk's changes since the recording started (the replay's {@link OverlayDisk} state): u32 chunk
 * count, then per chunk u64 index and its 4096 bytes, ascending. The base they lie over, the
 * recording's start snapshot in the disk, never changes.
 *
 * The digest makes a damaged snapshot (a flipped bit, a cut-short file, a cluster overwritten)
 * a refusal instead of wrong state: qcow2 keeps no checksums of its own. Version 1 (no console,
 * no digest) is still read, marked {@link #verified() unverified}, its console null.
 */
public record VmState(MachineState machine, long eventsConsumed, byte[] console, TreeMap<Long, byte[]> disk,
        boolean verified) {

    private static final byte[] MAGIC_V1 = "RWVMST01".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC_V2 = "RWVMST02".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC = "RWVMST03".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST = 32;
    private static final int CHUNK = OverlayDisk.CHUNK;

    /** A diskless machine's state (written as version 2). */
    public VmState(MachineState machine, long eventsConsumed, byte[] console) {
        this(machine, eventsConsumed, console, null, true);
    }

    /** With the disk's chunks written since the recording started ({@code disk} null: no disk; written as version 3). */
    public VmState(MachineState machine, long eventsConsumed, byte[] console, TreeMap<Long, byte[]> disk) {
        this(machine, eventsConsumed, console, disk, true);
    }

    public byte[] encode() {
        byte[] text = console == null ? new byte[0] : console;
        long size = MAGIC.length + 8 + 4 + text.length + 4 + machine.encodedSize()
                + (disk == null ? 0 : 4 + (long) disk.size() * (8 + CHUNK)) + DIGEST;
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalStateException("snapshot of " + size + " bytes is too large for one array");
        }
        // one array of the exact size: a Linux snapshot is tens of MiB, and a recording persists many
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.put(disk == null ? MAGIC_V2 : MAGIC);
        out.putLong(eventsConsumed);
        out.putInt(text.length);
        out.put(text);
        out.putInt(machine.encodedSize());
        machine.encodeTo(out);
        if (disk != null) {
            out.putInt(disk.size());
            for (var e : disk.entrySet()) {
                out.putLong(e.getKey());
                out.put(e.getValue());
            }
        }
        byte[] bytes = out.array();
        out.put(sha256(bytes, MAGIC.length, out.position() - MAGIC.length));
        return bytes;
    }

    /**
     * Decodes {@link #encode()} output (or version 1's).
     *
     * @throws StateFormatException if it is not a Rewind snapshot, is truncated, or its bytes do
     *         not match their digest (the message says which)
     */
    public static VmState decode(byte[] data) throws StateFormatException {
        boolean v3 = data.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC);
        boolean v2 = v3 || data.length >= MAGIC_V2.length && Arrays.equals(Arrays.copyOf(data, MAGIC_V2.length), MAGIC_V2);
        boolean v1 = data.length >= MAGIC_V1.length && Arrays.equals(Arrays.copyOf(data, MAGIC_V1.length), MAGIC_V1);
        if (!v1 && !v2) {
            throw new StateFormatException("not a Rewind snapshot (bad magic): it was not made by rewind record");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            b.position(MAGIC.length);
            long events = b.getLong();
            byte[] console = null;
            if (v2) {
                if (data.length < MAGIC.length + DIGEST || !MessageDigest.isEqual(
                        Arrays.copyOfRange(data, data.length - DIGEST, data.length),
                        sha256(data, MAGIC.length, data.length - DIGEST - MAGIC.length))) {
                    throw new StateFormatException("Rewind snapshot is damaged: its " + data.length
                            + " bytes do not match the SHA-256 they were saved with");
                }
                console = new byte[length(b, b.remaining() - DIGEST)];
                b.get(console);
            }
            int length = length(b, b.remaining() - (v2 ? DIGEST : 0));
            if (events < 0) {
                throw new StateFormatException("Rewind snapshot is truncated");
            }
            int start = b.position();
            MachineState machine = MachineState.decode(Arrays.copyOfRange(data, start, start + length));
            b.position(start + length);
            TreeMap<Long, byte[]> disk = null;
            if (v3) {
                int chunks = b.getInt();
                if (chunks < 0 || (long) chunks * (8 + CHUNK) > b.remaining() - DIGEST) {
                    throw new StateFormatException("Rewind snapshot is truncated");
                }
                disk = new TreeMap<>();
                for (int i = 0; i < chunks; i++) {
                    long index = b.getLong();
                    byte[] chunk = new byte[CHUNK];
                    b.get(chunk);
                    disk.put(index, chunk);
                }
            }
            return new VmState(machine, events, console, disk, v2);
        } catch (java.nio.BufferUnderflowException e) {
            throw new StateFormatException("Rewind snapshot is truncated");
        }
    }

    private static int length(ByteBuffer b, int max) throws StateFormatException {
        int n = b.getInt();
        if (n < 0 || n > max - 4) {
            throw new StateFormatException("Rewind snapshot is truncated");
        }
        return n;
    }

    private static byte[] sha256(byte[] data, int from, int length) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(data, from, length);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
