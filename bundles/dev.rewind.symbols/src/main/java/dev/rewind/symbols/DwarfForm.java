package dev.rewind.symbols;

/** DW_FORM_* codes (DWARF 5, section 7.5.6) and the GNU extensions gcc may emit. */
final class DwarfForm {
    static final int ADDR = 0x01;
    static final int BLOCK2 = 0x03;
    static final int BLOCK4 = 0x04;
    static final int DATA2 = 0x05;
    static final int DATA4 = 0x06;
    static final int DATA8 = 0x07;
    static final int STRING = 0x08;
    static final int BLOCK = 0x09;
    static final int BLOCK1 = 0x0a;
    static final int DATA1 = 0x0b;
    static final int FLAG = 0x0c;
    static final int SDATA = 0x0d;
    static final int STRP = 0x0e;
    static final int UDATA = 0x0f;
    static final int REF_ADDR = 0x10;
    static final int REF1 = 0x11;
    static final int REF2 = 0x12;
    static final int REF4 = 0x13;
    static final int REF8 = 0x14;
    static final int REF_UDATA = 0x15;
    static final int INDIRECT = 0x16;
    static final int SEC_OFFSET = 0x17;
    static final int EXPRLOC = 0x18;
    static final int FLAG_PRESENT = 0x19;
    static final int STRX = 0x1a;
    static final int ADDRX = 0x1b;
    static final int REF_SUP4 = 0x1c;
    static final int STRP_SUP = 0x1d;
    static final int DATA16 = 0x1e;
    static final int LINE_STRP = 0x1f;
    static final int REF_SIG8 = 0x20;
    static final int IMPLICIT_CONST = 0x21;
    static final int LOCLISTX = 0x22;
    static final int RNGLISTX = 0x23;
    static final int REF_SUP8 = 0x24;
    static final int STRX1 = 0x25;
    static final int STRX2 = 0x26;
    static final int STRX3 = 0x27;
    static final int STRX4 = 0x28;
    static final int ADDRX1 = 0x29;
    static final int ADDRX2 = 0x2a;
    static final int ADDRX3 = 0x2b;
    static final int ADDRX4 = 0x2c;
    static final int GNU_ADDR_INDEX = 0x1f01;
    static final int GNU_STR_INDEX = 0x1f02;
    static final int GNU_REF_ALT = 0x1f20;
    static final int GNU_STRP_ALT = 0x1f21;

    private DwarfForm() {
    }

    /** Unit parameters a form's size depends on. */
    record Encoding(int version, int addressSize, boolean dwarf64) {
        int offsetSize() {
            return dwarf64 ? 8 : 4;
        }
    }

    /**
     * Skips one value of {@code form}. Returns normally for every form DWARF 2-5 defines;
     * unknown forms are corruption (or a producer this reader does not know) and throw.
     */
    static void skip(ByteCursor c, int form, Encoding enc) throws SymbolsException {
        // DW_FORM_indirect names the real form inline; a loop, not recursion, so a run of
        // indirect bytes in corrupt input cannot exhaust the stack.
        while (form == INDIRECT) {
            form = c.ulebInt();
        }
        switch (form) {
            case ADDR: c.skip(enc.addressSize()); return;
            case BLOCK2: c.skip(c.u16()); return;
            case BLOCK4: c.skip(c.u32()); return;
            case DATA2: case REF2: case STRX2: case ADDRX2: c.skip(2); return;
            case DATA4: case REF4: case REF_SUP4: case STRX4: case ADDRX4: c.skip(4); return;
            case DATA8: case REF8: case REF_SIG8: case REF_SUP8: c.skip(8); return;
            case DATA16: c.skip(16); return;
            case STRING: c.cstring(); return;
            case BLOCK: case EXPRLOC: c.skip(c.uleb()); return;
            case BLOCK1: c.skip(c.u8()); return;
            case DATA1: case FLAG: case REF1: case STRX1: case ADDRX1: c.skip(1); return;
            case STRX3: case ADDRX3: c.skip(3); return;
            case SDATA: c.sleb(); return;
            case UDATA: case REF_UDATA: case STRX: case ADDRX: case LOCLISTX: case RNGLISTX:
            case GNU_ADDR_INDEX: case GNU_STR_INDEX:
                c.uleb(); return;
            case REF_ADDR:
                c.skip(enc.version() <= 2 ? enc.addressSize() : enc.offsetSize()); return;
            case STRP: case LINE_STRP: case SEC_OFFSET: case STRP_SUP: case GNU_REF_ALT: case GNU_STRP_ALT:
                c.skip(enc.offsetSize()); return;
            case FLAG_PRESENT: case IMPLICIT_CONST: return;
            default: throw c.error("unknown DW_FORM 0x" + Integer.toHexString(form));
        }
    }

    /**
     * Reads a value of a constant, address, reference, offset or index form as an unsigned
     * number (sdata is sign-extended). Blocks and strings are not numbers and throw.
     */
    static long number(ByteCursor c, int form, Encoding enc) throws SymbolsException {
        switch (form) {
            case ADDR: return c.unsigned(enc.addressSize());
            case DATA1: case FLAG: case REF1: case STRX1: case ADDRX1: return c.u8();
            case DATA2: case REF2: case STRX2: case ADDRX2: return c.u16();
            case STRX3: case ADDRX3: return c.u16() | (long) c.u8() << 16;
            case DATA4: case REF4: case REF_SUP4: case STRX4: case ADDRX4: return c.u32();
            case DATA8: case REF8: case REF_SIG8: case REF_SUP8: return c.u64();
            case SDATA: return c.sleb();
            case UDATA: case REF_UDATA: case STRX: case ADDRX: case LOCLISTX: case RNGLISTX:
            case GNU_ADDR_INDEX: case GNU_STR_INDEX:
                return c.uleb();
            case REF_ADDR: return c.unsigned(enc.version() <= 2 ? enc.addressSize() : enc.offsetSize());
            case STRP: case LINE_STRP: case SEC_OFFSET: case STRP_SUP: case GNU_REF_ALT: case GNU_STRP_ALT:
                return c.unsigned(enc.offsetSize());
            case FLAG_PRESENT: return 1;
            default: throw c.error("DW_FORM 0x" + Integer.toHexString(form) + " is not a number");
        }
    }

    static boolean isConstant(int form) {
        switch (form) {
            case DATA1: case DATA2: case DATA4: case DATA8:
            case SDATA: case UDATA: case IMPLICIT_CONST:
                return true;
            default:
                return false;
        }
    }

    static boolean isBlock(int form) {
        return form == BLOCK || form == BLOCK1 || form == BLOCK2 || form == BLOCK4 || form == EXPRLOC;
    }

    static boolean isReference(int form) {
        switch (form) {
            case REF1: case REF2: case REF4: case REF8: case REF_UDATA: case REF_ADDR:
                return true;
            default:
                return false;
        }
    }

    static boolean isIndexedAddress(int form) {
        return form == ADDRX || form == ADDRX1 || form == ADDRX2 || form == ADDRX3 || form == ADDRX4
                || form == GNU_ADDR_INDEX;
    }

    static boolean isAddress(int form) {
        return form == ADDR || isIndexedAddress(form);
    }

    /** Forms whose value {@link #number} reads (everything but blocks, 16-byte data and inline strings). */
    static boolean isNumber(int form) {
        switch (form) {
            case BLOCK: case BLOCK1: case BLOCK2: case BLOCK4: case EXPRLOC: case DATA16: case STRING:
                return false;
            default:
                return true;
        }
    }

    /** Reads a block form's bytes. */
    static byte[] block(ByteCursor c, int form) throws SymbolsException {
        long length;
        switch (form) {
            case BLOCK1: length = c.u8(); break;
            case BLOCK2: length = c.u16(); break;
            case BLOCK4: length = c.u32(); break;
            default: length = c.uleb(); break;
        }
        return c.bytes(length);
    }
}
