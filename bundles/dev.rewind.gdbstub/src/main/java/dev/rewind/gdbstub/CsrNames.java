package dev.rewind.gdbstub;

/**
 * Names of the standard CSRs (RISC-V privileged spec, "CSR Listing" tables) as gdb knows them;
 * gdb identifies CSRs in a target description by name.
 */
final class CsrNames {

    private CsrNames() {
    }

    static String name(int csr) {
        switch (csr) {
            case 0x001: return "fflags";
            case 0x002: return "frm";
            case 0x003: return "fcsr";
            case 0x100: return "sstatus";
            case 0x104: return "sie";
            case 0x105: return "stvec";
            case 0x106: return "scounteren";
            case 0x10a: return "senvcfg";
            case 0x140: return "sscratch";
            case 0x141: return "sepc";
            case 0x142: return "scause";
            case 0x143: return "stval";
            case 0x144: return "sip";
            case 0x180: return "satp";
            case 0x300: return "mstatus";
            case 0x301: return "misa";
            case 0x302: return "medeleg";
            case 0x303: return "mideleg";
            case 0x304: return "mie";
            case 0x305: return "mtvec";
            case 0x306: return "mcounteren";
            case 0x30a: return "menvcfg";
            case 0x340: return "mscratch";
            case 0x341: return "mepc";
            case 0x342: return "mcause";
            case 0x343: return "mtval";
            case 0x344: return "mip";
            case 0xb00: return "mcycle";
            case 0xb02: return "minstret";
            case 0xc00: return "cycle";
            case 0xc01: return "time";
            case 0xc02: return "instret";
            case 0xf11: return "mvendorid";
            case 0xf12: return "marchid";
            case 0xf13: return "mimpid";
            case 0xf14: return "mhartid";
            default:
                if (csr >= 0x3a0 && csr <= 0x3af) {
                    return "pmpcfg" + (csr - 0x3a0);
                }
                if (csr >= 0x3b0 && csr <= 0x3ef) {
                    return "pmpaddr" + (csr - 0x3b0);
                }
                if (csr < 0 || csr > 0xfff) {
                    throw new IllegalArgumentException("CSR number out of range: " + csr);
                }
                return String.format("csr%03x", csr);
        }
    }
}
