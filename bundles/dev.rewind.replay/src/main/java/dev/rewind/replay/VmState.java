package dev.rewind.replay;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.rewind.emulator.MachineState;
import dev.rewind.emulator.StateFormatException;

/**
 * What Rewind stores in a qcow2 snapshot's vmstate area: the machine state and the replay
 * position at that instant (how many log events had been consumed), so that a replay can
 * start from any persisted snapshot exactly, as QEMU keeps the log offset in its snapshots.
 *
 * <pre>magic "RWVMST01", u64 events consumed, u32 length, MachineState.encode() bytes</pre>
 */
public record VmState(MachineState machine, long eventsConsumed) {

    private static final byte[] MAGIC = "RWVMST01".getBytes(StandardCharsets.US_ASCII);

    public byte[] encode() {
        byte[] state = machine.encode();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(state.length + 20);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeLong(eventsConsumed);
            out.writeInt(state.length);
            out.write(state);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory stream failed", e);
        }
    }

    public static VmState decode(byte[] data) throws StateFormatException {
        if (data.length < MAGIC.length + 12 || !Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC)) {
            throw new StateFormatException("not a Rewind snapshot (bad magic): it was not made by rewind record");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        b.position(MAGIC.length);
        long events = b.getLong();
        int length = b.getInt();
        if (events < 0 || length < 0 || length > b.remaining()) {
            throw new StateFormatException("Rewind snapshot is truncated");
        }
        return new VmState(MachineState.decode(Arrays.copyOfRange(data, b.position(), b.position() + length)), events);
    }
}
