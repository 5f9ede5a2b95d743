package dev.rewind.emulator;

/**
 * Physical address space: RAM and boot ROM (byte arrays the hart reaches directly) and MMIO
 * devices, each a half-open range [base, base + size). Ranges never overlap.
 */
final class Bus {

    final Memory ram;
    final Memory rom;
    private MmioDevice[] devices = new MmioDevice[0];

    Bus(Memory ram, Memory rom) {
        this.ram = ram;
        this.rom = rom;
    }

    /** Plugs in the devices (once, while the machine is built: they need the hart, the hart needs the bus). */
    void attach(MmioDevice[] devices) {
        this.devices = devices.clone();
        // not Comparator.comparingLong: see Csr's table sort
        java.util.Arrays.sort(this.devices, (a, b) -> Long.compare(a.base(), b.base()));
        for (int i = 1; i < this.devices.length; i++) {
            MmioDevice a = this.devices[i - 1], b = this.devices[i];
            if (a.base() + a.size() > b.base()) {
                throw new IllegalStateException(a.name() + " overlaps " + b.name());
            }
        }
    }

    /** The memory region holding all of [paddr, paddr + size), or null. */
    Memory memory(long paddr, int size) {
        if (inside(ram, paddr, size)) {
            return ram;
        }
        if (inside(rom, paddr, size)) {
            return rom;
        }
        return null;
    }

    /** Where instructions at [paddr, paddr + size) are fetched from: RAM, ROM or a device's code memory; or null. */
    Memory fetchMemory(long paddr, int size) {
        Memory m = memory(paddr, size);
        if (m != null) {
            return m;
        }
        MmioDevice d = device(paddr, size);
        Memory code = d == null ? null : d.code();
        return code != null && inside(code, paddr, size) ? code : null;
    }

    private static boolean inside(Memory m, long paddr, int size) {
        long o = paddr - m.base;
        return o >= 0 && o + size <= m.size;
    }

    /** The device whose range holds all of [paddr, paddr + size), or null. */
    MmioDevice device(long paddr, int size) {
        for (MmioDevice d : devices) {
            long o = paddr - d.base();
            if (o >= 0 && o + size <= d.size()) {
                return d;
            }
        }
        return null;
    }

    MmioDevice[] devices() {
        return devices.clone();
    }
}
