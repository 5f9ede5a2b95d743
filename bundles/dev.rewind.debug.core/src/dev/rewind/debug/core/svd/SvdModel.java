package dev.rewind.debug.core.svd;

import java.util.List;
import java.util.Map;

/** What a CMSIS-SVD file describes: a device's peripherals, their registers and bit fields. */
public final class SvdModel {
    private SvdModel() {
    }

    /** A device: the peripherals of one SVD file ({@code source} is where it came from). */
    public record Device(String name, String description, String source, List<Peripheral> peripherals) {
    }

    /** A peripheral at a physical base address. */
    public record Peripheral(String name, String description, String groupName, long baseAddress,
            List<Register> registers) {
    }

    /** A register at {@code baseAddress + addressOffset}, {@code size} bits wide. */
    public record Register(String name, String description, long addressOffset, int size, String access,
            List<Field> fields) {

        public long address(Peripheral p) {
            return p.baseAddress() + addressOffset;
        }

        /** Whether a debugger may show it: registers that are write-only read as nothing useful. */
        public boolean readable() {
            return !"write-only".equals(access) && !"writeOnce".equals(access);
        }
    }

    /** Bits {@code [lsb, msb]} of a register; {@code values} names some of their values. */
    public record Field(String name, String description, int lsb, int msb, String access, Map<Long, String> values) {

        public long extract(long register) {
            int width = msb - lsb + 1;
            return width >= 64 ? register >>> lsb : (register >>> lsb) & ((1L << width) - 1);
        }

        public int width() {
            return msb - lsb + 1;
        }
    }
}
