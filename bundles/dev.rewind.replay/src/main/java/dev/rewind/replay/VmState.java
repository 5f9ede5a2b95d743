package dev.rewind.replay;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

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
 * The digest makes a damaged snapshot (a flipped bit, a cut-short file, a cluster overwritten)
 * a refusal instead of wrong state: qcow2 keeps no checksums of its own. Version 1 (no console,
 * no digest) is still read, marked {@link #verified() unverified}, its console null.
 */
public record VmState(MachineState machine, long eventsConsumed, byte[] console, boolean verified) {

    private static final byte[] MAGIC_V1 = "RWVMST01".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC = "RWVMST02".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST = 32;

    public VmState(MachineState machine, long eventsConsumed, byte[] console) {
        this(machine, eventsConsumed, console, true);
    }

    public byte[] encode() {
        byte[] state = machine.encode();
        byte[] text = console == null ? new byte[0] : console;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(state.length + text.length + 24 + DIGEST);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeLong(eventsConsumed);
            out.writeInt(text.length);
            out.write(text);
            out.writeInt(state.length);
            out.write(state);
            out.flush();
            byte[] body = bytes.toByteArray();
            out.write(sha256(body, MAGIC.length, body.length - MAGIC.length));
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
    }

    /**
     * Decodes {@link #encode()} output (or version 1's).
     *
     * @throws StateFormatException if it is not a Rewind snapshot, is truncated, or its bytes do
     *         not match their digest (the message says which)
     */
    public static VmState decode(byte[] data) throws StateFormatException {
        boolean v2 = data.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC);
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
            return new VmState(MachineState.decode(Arrays.copyOfRange(data, start, start + length)), events, console, v2);
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
