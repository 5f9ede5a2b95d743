package dev.rewind.replay.query;

import java.util.Locale;

import dev.rewind.symbols.ElfSymbol;
import dev.rewind.symbols.ProgramSymbols;

/**
 * What a query watches: a range of guest addresses {@code [address, address+size)} and the text
 * it was named by. Parsed from {@code ADDR[:LEN]} (hex with 0x, or decimal), or a global
 * variable's name (its ELF symbol: address and size), optionally {@code NAME:LEN}.
 *
 * <p>The addresses are virtual unless {@code physical}: once the recording turned on address
 * translation, the engine follows what they map to in the page tables of hart {@code hart}
 * (-1: the hart about to run at the query's position) over the queried stretch (see
 * {@link MappingHistory}); physical ones are RAM or device addresses as such.
 */
public record Target(String text, long address, int size, boolean physical, int hart) {

    public Target(String text, long address, int size) {
        this(text, address, size, false, -1);
    }

    /** The same addresses taken as physical ones. */
    public Target asPhysical() {
        return new Target(text, address, size, true, hart);
    }

    /** The same virtual addresses as hart {@code h} maps them (-1: the hart about to run). */
    public Target inHart(int h) {
        return new Target(text, address, size, physical, h);
    }

    /** Longest range a query watches. */
    public static final int MAX_SIZE = 4096;

    public static Target parse(String expr, ProgramSymbols symbols) {
        String e = expr.trim();
        if (e.startsWith("&")) {
            e = e.substring(1).trim();
        }
        int colon = e.lastIndexOf(':');
        String base = colon > 0 ? e.substring(0, colon) : e;
        Integer len = colon > 0 ? (int) number(e.substring(colon + 1), expr) : null;
        long address;
        int size;
        if (Character.isDigit(base.charAt(0)) || base.startsWith("*")) {
            address = number(base.startsWith("*") ? base.substring(1) : base, expr);
            size = len == null ? 8 : len;
        } else {
            ElfSymbol s = symbols == null ? null : symbols.symbol(base);
            if (s == null) {
                throw new IllegalArgumentException("no global variable or symbol '" + base + "' in the program"
                        + (symbols == null ? " (no symbols loaded)" : ""));
            }
            address = s.value();
            size = len != null ? len : s.size() > 0 ? (int) Math.min(s.size(), MAX_SIZE) : 8;
        }
        if (size <= 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("length must be 1.." + MAX_SIZE + ", not " + size);
        }
        return new Target(expr.trim(), address, size);
    }

    static long number(String s, String whole) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace("_", "");
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s.trim() + "' in '" + whole + "' is not a number (0x... or decimal)");
        }
    }

    @Override
    public String toString() {
        return text + (physical ? " [physical 0x" : " [0x") + Long.toHexString(address) + ", +" + size + ")";
    }
}
