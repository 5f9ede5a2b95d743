package dev.rewind.gdbstub.target;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.Test;

/**
 * gdb-multiarch against a guest built with the toolchain's default flags (rv64imafdc, lp64d:
 * gdb refuses such an ELF unless the target description has the fpu feature): breakpoints,
 * continue, reverse-stepi over FP instructions (f registers and fflags come back) and
 * reverse-continue on Rewind's replay, and {@code info registers float} equal to QEMU 7.2's at
 * the same icounts. (QEMU 7.2's gdb stub builds its CSR list while FS is Off, so it shows no
 * fflags/frm/fcsr: those are compared with QEMU by the emulator's instruction-level tests.)
 */
public class FloatingPointWithGdbTest {

    /** The FP registers gdb shows ({@code info registers float}): name -> the rest of the line. */
    static Map<String, String> floatRegisters(String section) {
        return floatRegisters(section, 35);
    }

    static Map<String, String> floatRegisters(String section, int atLeast) {
        Map<String, String> regs = new TreeMap<>();
        for (String l : section.split("\n")) {
            String[] p = l.trim().split("\\s+", 2);
            if (p.length == 2 && p[0].matches("f[tsa][0-9]+|fflags|frm|fcsr")) {
                regs.put(p[0], p[1].replaceAll("\\s+", " "));
            }
        }
        if (regs.size() < atLeast) {
            throw new AssertionError("not all FP registers in:\n" + section);
        }
        return regs;
    }

    private static GdbScript script() {
        GdbScript g = new GdbScript().add("break area");
        for (int k = 0; k < 3; k++) {
            g.add("continue").mark("HIT" + k).icount().add("info registers float");
        }
        // area: auipc; fld fa5; fmul.d fa5, fa0, fa5 (inexact); ...
        g.add("stepi 2").mark("BEFORE").icount().add("info registers float");
        g.add("stepi").mark("AFTER").icount().add("info registers float");
        g.add("reverse-stepi").mark("UNDONE").icount().add("info registers float");
        g.add("reverse-continue").mark("BACK").icount().add("info registers float");
        return g.mark("END");
    }

    @Test
    public void aDefaultFlagsElfIsDebuggedForwardAndBackwardAndItsFloatRegistersMatchQemu() throws Exception {
        assumeTrue("gdb-multiarch, qemu-system-riscv64 and qemu-img needed", QemuReplayGdb.available());
        RecordedGuest guest = RecordedGuest.of("fpdebug", null);
        String ours;
        try (RecordedGuest.Served s = guest.serve(1000)) {
            ours = script().run(s.port(), guest.elf);
        }
        assertFalse(ours, ours.contains("flen"));
        List<Long> ic = GdbScript.icounts(ours);
        assertEquals(ours, 7, ic.size());
        assertEquals("stepi 2 then stepi", ic.get(3) + 1, (long) ic.get(4));
        assertEquals("reverse-stepi", ic.get(3), ic.get(5));
        assertEquals("reverse-continue goes back to this call's breakpoint", ic.get(2), ic.get(6));

        Map<String, String> before = floatRegisters(GdbScript.section(ours, "BEFORE"));
        Map<String, String> after = floatRegisters(GdbScript.section(ours, "AFTER"));
        assertNotEquals("fmul.d changes fa5", before.get("fa5"), after.get("fa5"));
        assertTrue("fmul.d raises NX: " + after.get("fflags"), after.get("fflags").startsWith("0x1"));
        assertEquals("reverse-stepi restores the f registers and fflags", before,
                floatRegisters(GdbScript.section(ours, "UNDONE")));
        assertEquals(floatRegisters(GdbScript.section(ours, "HIT2")), floatRegisters(GdbScript.section(ours, "BACK")));

        String qemu = QemuReplayGdb.run(guest.elf, script());
        assertEquals("QEMU:\n" + qemu + "\nRewind:\n" + ours, GdbScript.icounts(qemu), ic);
        for (String section : List.of("HIT0", "HIT1", "HIT2", "BEFORE", "AFTER", "UNDONE", "BACK")) {
            Map<String, String> q = floatRegisters(GdbScript.section(qemu, section), 32);
            Map<String, String> r = floatRegisters(GdbScript.section(ours, section));
            r.keySet().retainAll(q.keySet());
            assertEquals(section + ": QEMU\n" + qemu + "\nRewind:\n" + ours, q, r);
        }
    }
}
