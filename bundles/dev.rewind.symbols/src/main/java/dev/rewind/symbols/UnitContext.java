package dev.rewind.symbols;

/**
 * What evaluating a location of one compilation unit needs after loading: its encoding,
 * bases into .debug_addr and .debug_loclists, its base address, and those sections. Reads
 * use fresh cursors, so lookups from several threads do not disturb each other.
 */
final class UnitContext implements DwarfExpression.Unit {
    private final DwarfForm.Encoding enc;
    private final long addrBase;
    private final long loclistsBase;
    private final long baseAddress;
    private final ByteCursor addr;
    private final ByteCursor loclists;
    private final ByteCursor loc;
    private final String producer;
    private boolean locationLists;

    UnitContext(DwarfForm.Encoding enc, long addrBase, long loclistsBase, long baseAddress, ByteCursor addr,
            ByteCursor loclists, ByteCursor loc, String producer) {
        this.producer = producer;
        this.enc = enc;
        this.addrBase = addrBase;
        this.loclistsBase = loclistsBase;
        this.baseAddress = baseAddress;
        this.addr = addr;
        this.loclists = loclists;
        this.loc = loc;
    }

    void usesLocationLists() {
        locationLists = true;
    }

    /**
     * True when the unit's variable locations are exact from a function's first instruction:
     * GCC output that uses location lists, i.e. optimized code (the rule gdb applies before
     * deciding whether to skip a prologue).
     */
    boolean locationsValid() {
        return locationLists && producer != null && producer.startsWith("GNU");
    }

    @Override
    public int addressSize() {
        return enc.addressSize();
    }

    @Override
    public long indexedAddress(long index) throws SymbolsException {
        if (addr == null) {
            throw new SymbolsException("indexed address used but the file has no .debug_addr section");
        }
        ByteCursor c = addr.fresh();
        long base = addrBase >= 0 ? addrBase : (enc.dwarf64() ? 16 : 8);
        c.seek(base + index * enc.addressSize());
        return c.unsigned(enc.addressSize());
    }

    /**
     * The location expression that a location list at {@code offset} (or list index, for
     * DW_FORM_loclistx) gives for {@code pc}; null when no entry covers pc.
     */
    byte[] listEntryAt(long offset, boolean isIndex, long pc) throws SymbolsException {
        if (enc.version() < 5) {
            if (loc == null) {
                return null;
            }
            ByteCursor c = loc.fresh();
            c.seek(offset);
            long base = baseAddress;
            long max = enc.addressSize() == 8 ? -1L : 0xffffffffL;
            while (true) {
                long start = c.unsigned(enc.addressSize());
                long end = c.unsigned(enc.addressSize());
                if (start == 0 && end == 0) {
                    return null;
                }
                if (start == max) {
                    base = end;
                    continue;
                }
                byte[] expr = c.bytes(c.u16());
                if (within(pc, base + start, base + end)) {
                    return expr;
                }
            }
        }
        if (loclists == null) {
            return null;
        }
        ByteCursor c = loclists.fresh();
        if (isIndex) {
            long base = loclistsBase >= 0 ? loclistsBase : (enc.dwarf64() ? 20 : 12);
            c.seek(base + offset * enc.offsetSize());
            offset = base + c.unsigned(enc.offsetSize());
        }
        c.seek(offset);
        long base = baseAddress;
        while (true) {
            int kind = c.u8();
            long start;
            long end;
            switch (kind) {
                case 0: return null; // DW_LLE_end_of_list
                case 1: base = indexedAddress(c.uleb()); continue; // base_addressx
                case 2: start = indexedAddress(c.uleb()); end = indexedAddress(c.uleb()); break; // startx_endx
                case 3: start = indexedAddress(c.uleb()); end = start + c.uleb(); break; // startx_length
                case 4: start = base + c.uleb(); end = base + c.uleb(); break; // offset_pair
                case 5: return c.bytes(c.uleb()); // default_location
                case 6: base = c.unsigned(enc.addressSize()); continue; // base_address
                case 7: start = c.unsigned(enc.addressSize()); end = c.unsigned(enc.addressSize()); break;
                case 8: start = c.unsigned(enc.addressSize()); end = start + c.uleb(); break; // start_length
                default: throw c.error("unknown location list entry kind " + kind);
            }
            byte[] expr = c.bytes(c.uleb());
            if (within(pc, start, end)) {
                return expr;
            }
        }
    }

    private static boolean within(long pc, long low, long high) {
        return Long.compareUnsigned(pc, low) >= 0 && Long.compareUnsigned(pc, high) < 0;
    }
}
