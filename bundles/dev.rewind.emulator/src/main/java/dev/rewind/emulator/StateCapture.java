package dev.rewind.emulator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Captures a {@link VirtMachine}'s state as a {@link MachineState} (hart, devices, RAM pages,
 * full or as a delta of the pages written since the previous capture) and restores it.
 */
final class StateCapture {

    private final VirtMachine machine;
    private final Hart hart;
    private final Memory ram;
    private final Memory rom;
    private final VirtualClock clock;
    private final List<MmioDevice> stateful;

    StateCapture(VirtMachine machine, Hart hart, Memory ram, Memory rom, VirtualClock clock, List<MmioDevice> stateful) {
        this.machine = machine;
        this.hart = hart;
        this.ram = ram;
        this.rom = rom;
        this.clock = clock;
        this.stateful = stateful;
    }

    MachineState capture(boolean full) {
        TreeMap<Long, byte[]> pages = new TreeMap<>();
        byte[] data = ram.data;
        int count = ram.size / Memory.PAGE;
        for (int pg = 0; pg < count; pg++) {
            // A full capture skips zero pages before copying: most of a large RAM is untouched.
            if (full ? !MachineState.isZero(data, pg * Memory.PAGE) : ram.isDirty(pg)) {
                pages.put((long) pg, java.util.Arrays.copyOfRange(data, pg * Memory.PAGE, (pg + 1) * Memory.PAGE));
            }
        }
        ram.clearDirty();
        return new MachineState(hart.icount, clock.biasNs(), clock.shift(), ram.size, full, saveHart(), saveDevices(),
                pages);
    }

    private byte[] saveHart() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            hart.sys.save(out);
            out.writeBoolean(hart.waiting);
            out.writeBoolean(machine.exited);
            out.writeInt(machine.exitCode);
            out.writeLong(machine.nextRequestId);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private NavigableMap<String, byte[]> saveDevices() {
        TreeMap<String, byte[]> out = new TreeMap<>();
        for (MmioDevice d : stateful) {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream data = new DataOutputStream(bytes);
                d.save(data);
                data.flush();
                out.put(d.name(), bytes.toByteArray());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** Restores a full state captured from a machine with the same configuration. */
    void restore(MachineState state) throws StateFormatException {
        restoreHartAndDevices(state);
        java.util.Arrays.fill(ram.data, (byte) 0);
        for (var e : state.pages().entrySet()) {
            System.arraycopy(e.getValue(), 0, ram.data, (int) (e.getKey() * Memory.PAGE), Memory.PAGE);
        }
        ram.forgetDecoded();
        finishRestore(state);
    }

    /** See {@link VirtMachine#restoreState(MachineState, java.util.BitSet)}. */
    void restore(MachineState state, java.util.BitSet pages) throws StateFormatException {
        restoreHartAndDevices(state);
        byte[] zero = null;
        for (int pg = pages.nextSetBit(0); pg >= 0 && pg < ram.size / Memory.PAGE; pg = pages.nextSetBit(pg + 1)) {
            byte[] src = state.pages().get((long) pg);
            if (src == null) {
                src = zero != null ? zero : (zero = new byte[Memory.PAGE]);
            }
            System.arraycopy(src, 0, ram.data, pg * Memory.PAGE, Memory.PAGE);
            ram.forgetDecoded(pg);
        }
        finishRestore(state);
    }

    /** RAM pages written since the last capture or restore (a copy; tracking is not cleared). */
    java.util.BitSet dirtyPages() {
        int count = ram.size / Memory.PAGE;
        java.util.BitSet out = new java.util.BitSet(count);
        for (int pg = 0; pg < count; pg++) {
            if (ram.isDirty(pg)) {
                out.set(pg);
            }
        }
        return out;
    }

    private void restoreHartAndDevices(MachineState state) throws StateFormatException {
        if (!state.isFull()) {
            throw new StateFormatException("cannot restore a delta state on its own; lay it over a full state first");
        }
        if (state.ramSize() != ram.size || state.icountShift() != clock.shift()) {
            throw new StateFormatException("state is for a different machine (RAM " + state.ramSize()
                    + ", shift " + state.icountShift() + ")");
        }
        for (MmioDevice d : stateful) {
            if (!state.devices().containsKey(d.name())) {
                throw new StateFormatException("state lacks device " + d.name());
            }
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(state.hart()));
            hart.sys.load(in);
            hart.waiting = in.readBoolean();
            machine.exited = in.readBoolean();
            machine.exitCode = in.readInt();
            machine.nextRequestId = in.readLong();
            for (MmioDevice d : stateful) {
                d.load(new DataInputStream(new ByteArrayInputStream(state.devices().get(d.name()))));
            }
        } catch (IOException e) {
            throw new StateFormatException("corrupt machine state: " + e.getMessage());
        }
    }

    private void finishRestore(MachineState state) {
        hart.icount = state.icount();
        clock.setBiasNs(state.clockBiasNs());
        rom.forgetDecoded();
        ram.clearDirty();
        hart.mmu.translationChanged();
    }

    /** SHA-256 over the canonical full state (does not disturb dirty tracking). */
    String digestHex() {
        boolean[] dirty = new boolean[ram.size / Memory.PAGE];
        for (int pg = 0; pg < dirty.length; pg++) {
            dirty[pg] = ram.isDirty(pg);
        }
        String d = capture(true).digestHex();
        for (int pg = 0; pg < dirty.length; pg++) {
            if (dirty[pg]) {
                ram.flags[pg] |= Memory.DIRTY;
            }
        }
        return d;
    }
}
