package dev.rewind.replay.query;

import java.util.HexFormat;

/**
 * One memory access found by a query. {@code icount} is the position just before the accessing
 * instruction (so seeking there shows it about to run at {@code pc}); {@code before} and
 * {@code after} are the bytes of the queried range around a write (equal for a read). For a
 * device register, {@code before} is null (reading a device has side effects) and {@code after}
 * holds the value written.
 */
public record Access(long icount, int hart, long pc, int privilege, boolean write, long address, int size,
        long rangeStart, byte[] before, byte[] after, String where) {

    /** The accessed bytes as a little-endian hex number of the range, e.g. "0x0000002a" ("?" if unknown). */
    public static String hex(byte[] littleEndian) {
        if (littleEndian == null) {
            return "?";
        }
        byte[] be = new byte[littleEndian.length];
        for (int i = 0; i < be.length; i++) {
            be[i] = littleEndian[be.length - 1 - i];
        }
        return "0x" + HexFormat.of().formatHex(be);
    }

    /** True if the write changed the range (always false for reads). */
    public boolean changed() {
        return write && (before == null || !java.util.Arrays.equals(before, after));
    }

    /** Privilege as a letter: U, S or M. */
    public static String privilegeName(int p) {
        return switch (p) {
            case 0 -> "U";
            case 1 -> "S";
            case 3 -> "M";
            default -> Integer.toString(p);
        };
    }
}
