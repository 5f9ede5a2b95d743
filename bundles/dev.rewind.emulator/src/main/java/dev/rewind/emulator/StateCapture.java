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
    private final Hart[] harts;
    private final HartScheduler scheduler;
    private final Memory ram;
    private final Memory rom;
    private final VirtualClock clock;
    private final List<MmioDevice> stateful;

    StateCapture(VirtMachine machine, Hart[] harts, HartScheduler scheduler, Memory ram, Memory rom, VirtualClock clock,
            List<MmioDevice> stateful) {
        this.machine = machine;
        this.harts = harts;
        this.scheduler = scheduler;
        this.ram = ram;
        this.rom = rom;
        this.clock = clock;
        this.stateful = stateful;
    }

    MachineState capture(boolean full) {
        MachineState state = full ? captureFull() : captureDirty();
        ram.clearDirty();
        return state;
    }

    /** Every non-zero page; dirty tracking is left as it is. */
    private MachineState captureFull() {
        TreeMap<Long, byte[]> pages = new TreeMap<>();
        byte[] data = ram.data;
        // Only pages something wrote may be non-zero; of those, zero ones are skipped too.
        for (int pg = ram.nextUsed(0); pg >= 0; pg = ram.nextUsed(pg + 1)) {
            if (!MachineState.isZero(data, pg * Memory.PAGE)) {
                pages.put((long) pg, java.util.Arrays.copyOfRange(data, pg * Memory.PAGE, (pg + 1) * Memory.PAGE));
            }
        }
        return new MachineState(scheduler.current().icount, clock.biasNs(), clock.shift(), ram.size, true, saveHarts(),
                saveDevices(), PageTree.of(pages, ram.size / Memory.PAGE));
    }

    /** The pages written since the last capture or restore: the cost follows them, not the RAM's size. */
    private MachineState captureDirty() {
        TreeMap<Long, byte[]> pages = new TreeMap<>();
        byte[] data = ram.data;
        for (int i = 0, n = ram.dirtyCount(); i < n; i++) {
            int pg = ram.dirtyPage(i);
            pages.put((long) pg, java.util.Arrays.copyOfRange(data, pg * Memory.PAGE, (pg + 1) * Memory.PAGE));
        }
        return new MachineState(scheduler.current().icount, clock.biasNs(), clock.shift(), ram.size, false, saveHarts(),
                saveDevices(), pages);
    }

    /**
     * The harts and the machine's own state (format version {@value MachineState#VERSION}):
     * u16 rows per hart, u8 harts, then per hart x0..x31, pc, u8 privilege, bool waiting, long
     * instructions it retired and the {@link Csr#saved()} rows; then bool exited, int exit code,
     * long next block request id, u8 the hart whose turn it is, long the position its turn ends.
     */
    private byte[] saveHarts() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeShort(Csr.saved().size());
            out.writeByte(harts.length);
            for (Hart h : harts) {
                h.sys.saveRegisters(out);
                out.writeBoolean(h.waiting);
                out.writeLong(scheduler.retired(h));
                h.sys.saveRows(out);
            }
            out.writeBoolean(machine.exited);
            out.writeInt(machine.exitCode);
            out.writeLong(machine.nextRequestId);
            out.writeByte(scheduler.current().id);
            out.writeLong(scheduler.turnEnd());
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@link #saveHarts}'s format, or version 1's: one hart, its 44 rows before the WFI flag. */
    private void loadHarts(MachineState state, DataInputStream in) throws IOException, StateFormatException {
        int rows = V1_ROWS;
        int count = 1;
        if (state.formatVersion() >= 2) {
            rows = in.readUnsignedShort();
            count = in.readUnsignedByte();
        }
        if (rows > Csr.saved().size()) {
            throw new StateFormatException("state has " + rows + " registers per hart, this Rewind knows "
                    + Csr.saved().size() + ": it was saved by a newer Rewind");
        }
        if (count != harts.length) {
            throw new StateFormatException("state is for " + count + " harts, this machine has " + harts.length);
        }
        long[] retired = new long[harts.length];
        for (Hart h : harts) {
            h.sys.loadRegisters(in);
            if (state.formatVersion() >= 2) {
                h.waiting = in.readBoolean();
                retired[h.id] = in.readLong();
                h.sys.loadRows(in, rows);
            } else {
                h.sys.loadRows(in, rows);
                h.waiting = in.readBoolean();
                retired[h.id] = state.icount(); // one hart retired every instruction
            }
        }
        machine.exited = in.readBoolean();
        machine.exitCode = in.readInt();
        machine.nextRequestId = in.readLong();
        int current = 0;
        long turnEnd = Long.MAX_VALUE;
        if (state.formatVersion() >= 2) {
            current = in.readUnsignedByte();
            turnEnd = in.readLong();
            if (current >= harts.length) {
                throw new StateFormatException("state gives the turn to hart " + current + " of " + harts.length);
            }
        }
        scheduler.restore(current, turnEnd, state.icount(), retired);
    }

    /** Version 1 states hold the table's first 44 saved rows (up to pmpaddr15). */
    private static final int V1_ROWS = 44;

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
        ram.clearUsed();
        state.forEachPage((pg, page) -> {
            System.arraycopy(page, 0, ram.data, (int) (pg * Memory.PAGE), Memory.PAGE);
            ram.markUsed((int) (pg * Memory.PAGE), Memory.PAGE);
        });
        ram.forgetDecoded();
        finishRestore(state);
    }

    /** See {@link VirtMachine#restoreState(MachineState, java.util.BitSet)}. */
    void restore(MachineState state, java.util.BitSet pages) throws StateFormatException {
        restoreHartAndDevices(state);
        byte[] zero = null;
        for (int pg = pages.nextSetBit(0); pg >= 0 && pg < ram.size / Memory.PAGE; pg = pages.nextSetBit(pg + 1)) {
            byte[] src = state.page(pg);
            if (src == null) {
                src = zero != null ? zero : (zero = new byte[Memory.PAGE]);
            }
            System.arraycopy(src, 0, ram.data, pg * Memory.PAGE, Memory.PAGE);
            ram.markUsed(pg * Memory.PAGE, Memory.PAGE);
            ram.forgetDecoded(pg);
        }
        finishRestore(state);
    }

    /** RAM pages written since the last capture or restore (a copy; tracking is not cleared). */
    java.util.BitSet dirtyPages() {
        java.util.BitSet out = new java.util.BitSet();
        for (int i = 0, n = ram.dirtyCount(); i < n; i++) {
            out.set(ram.dirtyPage(i));
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
                throw state.formatVersion() < MachineState.VERSION ? olderRewind(state, "it has no " + d.name())
                        : new StateFormatException("state lacks device " + d.name());
            }
        }
        try {
            loadHarts(state, new DataInputStream(new ByteArrayInputStream(state.hart())));
            for (MmioDevice d : stateful) {
                d.load(new DataInputStream(new ByteArrayInputStream(state.devices().get(d.name()))));
            }
        } catch (IOException e) {
            if (state.formatVersion() < MachineState.VERSION) {
                // Devices changed their saved layout before states said which one they used.
                throw olderRewind(state, "its devices' saved layout differs");
            }
            throw new StateFormatException("corrupt machine state: " + e.getMessage());
        }
    }

    private static StateFormatException olderRewind(MachineState state, String why) {
        return new StateFormatException("this machine state (format " + state.formatVersion()
                + ") was saved by an older Rewind and cannot be restored (" + why + "); record it again");
    }

    private void finishRestore(MachineState state) {
        clock.setBiasNs(state.clockBiasNs());
        rom.forgetDecoded();
        ram.clearDirty();
        for (Hart h : harts) {
            h.mmu.translationChanged();
        }
    }

    /** SHA-256 over the canonical full state (does not disturb dirty tracking). */
    String digestHex() {
        return captureFull().digestHex();
    }
}
