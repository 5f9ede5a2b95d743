package dev.rewind.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The call frame information of {@code .debug_frame} (DWARF 5 section 6.4) or, for code
 * built with unwind tables, {@code .eh_frame} (its LSB variant): CIEs and FDEs, and the evaluation of their DW_CFA programs into the unwind rules in force at a pc.
 */
public final class CallFrameInfo {
    /** Registers tracked: x0-x31 and f0-f31 in RISC-V DWARF numbering, plus spare columns. */
    static final int COLUMNS = 66;

    private static final int CFA_ADVANCE_LOC = 0x40;
    private static final int CFA_OFFSET = 0x80;
    private static final int CFA_RESTORE = 0xc0;
    // Bounds on work per evaluation, so corrupt programs cannot stall the debugger.
    private static final int MAX_STATE_STACK = 64;

    /**
     * A CIE. {@code fdeEncoding} is the DW_EH_PE pointer encoding of FDE addresses in
     * .eh_frame, or -1 for .debug_frame's plain target addresses; {@code augmented} says FDEs
     * carry augmentation data ("z").
     */
    private record Cie(long codeAlign, long dataAlign, int returnColumn, int addressSize, boolean usable,
            int fdeEncoding, boolean augmented, ByteCursor initial) {
    }

    private record Fde(long low, long high, Cie cie, ByteCursor program) {
    }

    private final List<Fde> fdes;

    private CallFrameInfo(List<Fde> fdes) {
        this.fdes = fdes;
    }

    static CallFrameInfo empty() {
        return new CallFrameInfo(List.of());
    }

    /** Parses a whole {@code .debug_frame} section. */
    static CallFrameInfo parse(ByteCursor c, int defaultAddressSize) throws SymbolsException {
        return new CallFrameInfo(read(c, defaultAddressSize, false, 0));
    }

    /**
     * Parses a whole {@code .eh_frame} section loaded at {@code sectionAddress} (what gcc
     * emits instead of .debug_frame with -fasynchronous-unwind-tables or -fexceptions).
     */
    static CallFrameInfo parseEh(ByteCursor c, int defaultAddressSize, long sectionAddress) throws SymbolsException {
        return new CallFrameInfo(read(c, defaultAddressSize, true, sectionAddress));
    }

    private static List<Fde> read(ByteCursor c, int addressSize, boolean eh, long sectionAddress)
            throws SymbolsException {
        List<Fde> fdes = new ArrayList<>();
        Map<Long, Cie> cies = new HashMap<>();
        c.seek(0);
        while (!c.atEnd()) {
            long entryOffset = c.offset();
            long length = c.u32();
            boolean dwarf64 = false;
            if (length == 0xffffffffL) {
                length = c.u64();
                dwarf64 = true;
            } else if (length >= 0xfffffff0L) {
                throw c.error("reserved length 0x" + Long.toHexString(length) + " at 0x"
                        + Long.toHexString(entryOffset));
            }
            if (length == 0) {
                if (eh) {
                    break; // .eh_frame ends with a zero terminator
                }
                continue;
            }
            long idOffset = c.offset();
            ByteCursor entry = c.slice(length);
            long id = dwarf64 ? entry.u64() : entry.u32();
            boolean isCie = eh ? id == 0 : dwarf64 ? id == -1L : id == 0xffffffffL;
            if (isCie) {
                cies.put(entryOffset, readCie(entry, addressSize, eh));
                continue;
            }
            // .eh_frame points back to its CIE relative to this field; .debug_frame by offset.
            long cieOffset = eh ? idOffset - id : id;
            Cie cie = cies.get(cieOffset);
            if (cie == null) {
                cie = readCieAt(c, cieOffset, addressSize, eh);
                if (cie == null) {
                    throw c.error("FDE at 0x" + Long.toHexString(entryOffset) + " points to 0x"
                            + Long.toHexString(cieOffset) + ", which is not a CIE");
                }
                cies.put(cieOffset, cie);
            }
            if (!cie.usable()) {
                continue;
            }
            long low;
            long range;
            if (cie.fdeEncoding() < 0) {
                low = entry.unsigned(cie.addressSize());
                range = entry.unsigned(cie.addressSize());
            } else {
                long fieldAddress = sectionAddress + idOffset + entry.offset();
                low = encoded(entry, cie.fdeEncoding(), fieldAddress, cie.addressSize());
                range = encoded(entry, cie.fdeEncoding() & 0x0f, 0, cie.addressSize());
            }
            if (cie.augmented()) {
                entry.skip(entry.uleb());
            }
            fdes.add(new Fde(low, low + range, cie, entry.slice(entry.remaining())));
        }
        fdes.sort((a, b) -> Long.compareUnsigned(a.low, b.low));
        return fdes;
    }

    /** Reads a CIE that an FDE refers to before it appears in the section. */
    private static Cie readCieAt(ByteCursor c, long offset, int addressSize, boolean eh)
            throws SymbolsException {
        int saved = c.offset();
        try {
            c.seek(offset);
            long length = c.u32();
            boolean dwarf64 = length == 0xffffffffL;
            if (dwarf64) {
                length = c.u64();
            }
            ByteCursor entry = c.slice(length);
            long id = dwarf64 ? entry.u64() : entry.u32();
            boolean isCie = eh ? id == 0 : dwarf64 ? id == -1L : id == 0xffffffffL;
            if (!isCie) {
                return null;
            }
            return readCie(entry, addressSize, eh);
        } finally {
            c.seek(saved);
        }
    }

    private static Cie readCie(ByteCursor e, int defaultAddressSize, boolean eh) throws SymbolsException {
        int version = e.u8();
        String augmentation = e.cstring();
        int addressSize = defaultAddressSize;
        if (version >= 4) {
            addressSize = e.u8();
            e.u8(); // segment_selector_size
        }
        if (addressSize != 4 && addressSize != 8) {
            throw e.error("CIE address size " + addressSize);
        }
        if (augmentation.contains("eh")) {
            e.skip(addressSize); // an old GCC field holding the exception table address
        }
        long codeAlign = e.uleb();
        long dataAlign = e.sleb();
        int returnColumn = version == 1 ? e.u8() : e.ulebInt();
        boolean usable = version == 1 || version == 3 || version == 4;
        int fdeEncoding = eh ? 0 : -1; // .eh_frame without 'R' uses absolute pointers
        boolean augmented = augmentation.startsWith("z");
        if (augmented) {
            ByteCursor data = e.slice(e.uleb());
            for (int i = 1; i < augmentation.length() && usable; i++) {
                switch (augmentation.charAt(i)) {
                    case 'R': fdeEncoding = data.u8(); break;
                    case 'L': data.u8(); break; // LSDA encoding: FDE data we skip whole
                    case 'P': {
                        int enc = data.u8();
                        encoded(data, enc & 0x7f, 0, addressSize); // personality routine: not needed
                        break;
                    }
                    case 'S': case 'B': break;
                    default: usable = false; break; // unknown: its data layout is unknown
                }
            }
        } else if (!augmentation.isEmpty()) {
            usable = false; // unknown augmentation: its data layout cannot be skipped safely
        }
        if (returnColumn >= COLUMNS || (fdeEncoding >= 0 && !supportedEncoding(fdeEncoding))) {
            usable = false;
        }
        return new Cie(codeAlign, dataAlign, returnColumn, addressSize, usable, fdeEncoding, augmented,
                e.slice(e.remaining()));
    }

    private static boolean supportedEncoding(int encoding) {
        int application = encoding & 0x70;
        return (encoding & 0x80) == 0 && (application == 0 || application == 0x10);
    }

    /** Reads a DW_EH_PE-encoded pointer; pc-relative ones are relative to {@code fieldAddress}. */
    private static long encoded(ByteCursor c, int encoding, long fieldAddress, int addressSize)
            throws SymbolsException {
        long value;
        switch (encoding & 0x0f) {
            case 0x00: value = c.unsigned(addressSize); break;
            case 0x01: value = c.uleb(); break;
            case 0x02: value = c.u16(); break;
            case 0x03: value = c.u32(); break;
            case 0x04: value = c.u64(); break;
            case 0x09: value = c.sleb(); break;
            case 0x0a: value = (short) c.u16(); break;
            case 0x0b: value = (int) c.u32(); break;
            case 0x0c: value = c.u64(); break;
            default: throw c.error("unsupported pointer encoding 0x" + Integer.toHexString(encoding));
        }
        if ((encoding & 0x70) == 0x10) {
            value += fieldAddress;
        }
        return value;
    }

    /** True when some FDE covers {@code pc}. */
    public boolean covers(long pc) {
        return find(pc) != null;
    }

    private Fde find(long pc) {
        int lo = 0;
        int hi = fdes.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (Long.compareUnsigned(fdes.get(mid).low, pc) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = found; i >= 0 && i > found - 8; i--) {
            Fde f = fdes.get(i);
            if (Long.compareUnsigned(pc, f.low) >= 0 && Long.compareUnsigned(pc, f.high) < 0) {
                return f;
            }
        }
        return null;
    }

    /**
     * The unwind rules in force at {@code pc}, or null when no FDE covers it or its program
     * uses something this evaluator does not support (CFA expressions). Corrupt programs
     * throw {@link SymbolsException}.
     */
    public UnwindRules rulesAt(long pc) throws SymbolsException {
        Fde fde = find(pc);
        if (fde == null) {
            return null;
        }
        Cie cie = fde.cie;
        State initial = new State();
        if (!execute(cie.initial.fresh(), cie, initial, null, -1L, fde.low)) {
            return null;
        }
        State state = initial.copy();
        if (!execute(fde.program.fresh(), cie, state, initial, pc, fde.low)) {
            return null;
        }
        return new UnwindRules(state.cfaRegister, state.cfaOffset, state.kinds, state.values, cie.returnColumn);
    }

    /** Mutable row of the CFI table while a program runs. */
    private static final class State {
        int cfaRegister = 2;
        long cfaOffset;
        boolean cfaExpression;
        final byte[] kinds = new byte[COLUMNS];
        final long[] values = new long[COLUMNS];

        State() {
            Arrays.fill(kinds, UnwindRules.SAME_VALUE);
        }

        State copy() {
            State s = new State();
            s.cfaRegister = cfaRegister;
            s.cfaOffset = cfaOffset;
            s.cfaExpression = cfaExpression;
            System.arraycopy(kinds, 0, s.kinds, 0, COLUMNS);
            System.arraycopy(values, 0, s.values, 0, COLUMNS);
            return s;
        }

        void set(State o) {
            cfaRegister = o.cfaRegister;
            cfaOffset = o.cfaOffset;
            cfaExpression = o.cfaExpression;
            System.arraycopy(o.kinds, 0, kinds, 0, COLUMNS);
            System.arraycopy(o.values, 0, values, 0, COLUMNS);
        }
    }

    /**
     * Runs a CFA program, stopping before the first row whose location is above {@code pc}.
     * Returns false for programs that need DWARF expressions for the CFA.
     */
    private static boolean execute(ByteCursor c, Cie cie, State s, State initial, long pc, long startLoc)
            throws SymbolsException {
        long loc = startLoc;
        List<State> stack = new ArrayList<>();
        while (!c.atEnd()) {
            int op = c.u8();
            int high = op & 0xc0;
            int low = op & 0x3f;
            long advance = -1;
            if (high == CFA_ADVANCE_LOC) {
                advance = low * cie.codeAlign;
            } else if (high == CFA_OFFSET) {
                setRule(s, low, UnwindRules.OFFSET, c.uleb() * cie.dataAlign, c);
                continue;
            } else if (high == CFA_RESTORE) {
                restore(s, initial, low, c);
                continue;
            } else {
                switch (op) {
                    case 0x00: // nop
                        break;
                    case 0x01: { // set_loc
                        long target = c.unsigned(cie.addressSize);
                        if (Long.compareUnsigned(target, pc) > 0) {
                            return !s.cfaExpression;
                        }
                        loc = target;
                        break;
                    }
                    case 0x02: advance = c.u8() * cie.codeAlign; break;
                    case 0x03: advance = c.u16() * cie.codeAlign; break;
                    case 0x04: advance = c.u32() * cie.codeAlign; break;
                    case 0x05: { // offset_extended
                        int reg = c.ulebInt();
                        setRule(s, reg, UnwindRules.OFFSET, c.uleb() * cie.dataAlign, c);
                        break;
                    }
                    case 0x06: restore(s, initial, c.ulebInt(), c); break;
                    case 0x07: setRule(s, c.ulebInt(), UnwindRules.UNDEFINED, 0, c); break;
                    case 0x08: setRule(s, c.ulebInt(), UnwindRules.SAME_VALUE, 0, c); break;
                    case 0x09: { // register
                        int reg = c.ulebInt();
                        setRule(s, reg, UnwindRules.REGISTER, c.ulebInt(), c);
                        break;
                    }
                    case 0x0a: // remember_state
                        if (stack.size() >= MAX_STATE_STACK) {
                            throw c.error("DW_CFA_remember_state nested deeper than " + MAX_STATE_STACK);
                        }
                        stack.add(s.copy());
                        break;
                    case 0x0b: // restore_state
                        if (stack.isEmpty()) {
                            throw c.error("DW_CFA_restore_state without remember_state");
                        }
                        State saved = stack.remove(stack.size() - 1);
                        // The CFA is part of the saved row, as the rules are (DWARF 5 6.4.2.4).
                        s.set(saved);
                        break;
                    case 0x0c: // def_cfa
                        s.cfaRegister = c.ulebInt();
                        s.cfaOffset = c.uleb();
                        s.cfaExpression = false;
                        break;
                    case 0x0d: s.cfaRegister = c.ulebInt(); s.cfaExpression = false; break;
                    case 0x0e: s.cfaOffset = c.uleb(); break;
                    case 0x0f: c.skip(c.uleb()); s.cfaExpression = true; break; // def_cfa_expression
                    case 0x10: { // expression
                        int reg = c.ulebInt();
                        c.skip(c.uleb());
                        setRule(s, reg, UnwindRules.UNSUPPORTED, 0, c);
                        break;
                    }
                    case 0x11: { // offset_extended_sf
                        int reg = c.ulebInt();
                        setRule(s, reg, UnwindRules.OFFSET, c.sleb() * cie.dataAlign, c);
                        break;
                    }
                    case 0x12: // def_cfa_sf
                        s.cfaRegister = c.ulebInt();
                        s.cfaOffset = c.sleb() * cie.dataAlign;
                        s.cfaExpression = false;
                        break;
                    case 0x13: s.cfaOffset = c.sleb() * cie.dataAlign; break; // def_cfa_offset_sf
                    case 0x14: { // val_offset
                        int reg = c.ulebInt();
                        setRule(s, reg, UnwindRules.VAL_OFFSET, c.uleb() * cie.dataAlign, c);
                        break;
                    }
                    case 0x15: { // val_offset_sf
                        int reg = c.ulebInt();
                        setRule(s, reg, UnwindRules.VAL_OFFSET, c.sleb() * cie.dataAlign, c);
                        break;
                    }
                    case 0x16: { // val_expression
                        int reg = c.ulebInt();
                        c.skip(c.uleb());
                        setRule(s, reg, UnwindRules.UNSUPPORTED, 0, c);
                        break;
                    }
                    case 0x2e: c.uleb(); break; // GNU_args_size
                    case 0x2f: { // GNU_negative_offset_extended
                        int reg = c.ulebInt();
                        setRule(s, reg, UnwindRules.OFFSET, -c.uleb() * cie.dataAlign, c);
                        break;
                    }
                    default:
                        throw c.error("unknown DW_CFA opcode 0x" + Integer.toHexString(op));
                }
            }
            if (advance >= 0) {
                long next = loc + advance;
                if (Long.compareUnsigned(next, pc) > 0) {
                    return !s.cfaExpression;
                }
                loc = next;
            }
        }
        return !s.cfaExpression;
    }

    private static void setRule(State s, int reg, byte kind, long value, ByteCursor c) throws SymbolsException {
        if (reg < 0) {
            throw c.error("register number " + reg);
        }
        if (reg >= COLUMNS) {
            return; // a register this unwinder does not track (vector CSRs and the like)
        }
        s.kinds[reg] = kind;
        s.values[reg] = value;
    }

    private static void restore(State s, State initial, int reg, ByteCursor c) throws SymbolsException {
        if (reg >= COLUMNS) {
            return;
        }
        if (initial == null) {
            throw c.error("DW_CFA_restore in a CIE's initial instructions");
        }
        s.kinds[reg] = initial.kinds[reg];
        s.values[reg] = initial.values[reg];
    }
}
