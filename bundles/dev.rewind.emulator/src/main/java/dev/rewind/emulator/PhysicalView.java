package dev.rewind.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The machine's physical address space as a debugger sees it: RAM, boot ROM and every device,
 * read without side effects ({@link MmioDevice#peek}): reading a UART's receive buffer here does
 * not consume the byte, a PLIC claim register does not claim, the RTC does not ask the input port.
 * Peeking never changes machine state, so a replay stays on its recorded path.
 */
public final class PhysicalView {

    /** A device's name (as its state is saved under) and its half-open range [base, base + size). */
    public record Device(String name, long base, long size) {
    }

    private final Bus bus;

    PhysicalView(Bus bus) {
        this.bus = bus;
    }

    /** Every device on the bus, by ascending base address. */
    public List<Device> devices() {
        List<Device> out = new ArrayList<>();
        for (MmioDevice d : bus.devices()) {
            out.add(new Device(d.name(), d.base(), d.size()));
        }
        return out;
    }

    /**
     * The {@code size}-byte (1, 2, 4 or 8) little-endian value at physical address {@code paddr}
     * from RAM, ROM or a device; empty where nothing is mapped.
     */
    public OptionalLong peek(long paddr, int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("size " + size);
        }
        Memory m = bus.memory(paddr, size);
        if (m != null) {
            return OptionalLong.of(HartSystem.readRaw(m.data, (int) (paddr - m.base), size));
        }
        MmioDevice d = bus.device(paddr, size);
        return d == null ? OptionalLong.empty() : OptionalLong.of(d.peek(paddr - d.base(), size));
    }
}
