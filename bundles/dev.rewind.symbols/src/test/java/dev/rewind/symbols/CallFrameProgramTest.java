package dev.rewind.symbols;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.OptionalLong;
import org.junit.Test;

/**
 * DW_CFA operations that gcc does not emit for RISC-V (so the objdump and gdb comparisons
 * cannot reach them), run through a hand-assembled .debug_frame, and the unwinder's stopping
 * rules on stacks without CFI or with a CFA that does not grow.
 */
public class CallFrameProgramTest {

    private static byte[] debugFrame() {
        ByteArrayOutputStream cie = new ByteArrayOutputStream();
        u32(cie, 0xffffffffL); // CIE id
        cie.write(3); // version
        cie.write(0); // augmentation ""
        cie.write(2); // code alignment 2
        cie.write(0x78); // data alignment -8
        cie.write(1); // return address column: ra
        bytes(cie, 0x0c, 0x02, 0x00); // def_cfa sp+0
        ByteArrayOutputStream fde = new ByteArrayOutputStream();
        u32(fde, 0); // CIE at offset 0
        u64(fde, 0x1000);
        u64(fde, 0x100);
        bytes(fde, 0x41); // advance_loc 1*2 -> 0x1002
        bytes(fde, 0x0e, 0x10); // def_cfa_offset 16
        bytes(fde, 0x81, 0x01); // offset ra at cfa-8
        bytes(fde, 0x02, 0x03); // advance_loc1 3*2 -> 0x1008
        bytes(fde, 0x12, 0x08, 0x7e); // def_cfa_sf s0, -2*-8 = 16
        bytes(fde, 0x14, 0x09, 0x02); // val_offset s1 = cfa + 2*-8
        bytes(fde, 0x03, 0x10, 0x00); // advance_loc2 16*2 -> 0x1028
        bytes(fde, 0x0a); // remember_state
        bytes(fde, 0x09, 0x12, 0x0a); // register s2 in a0
        bytes(fde, 0x11, 0x13, 0x7f); // offset_extended_sf s3 at cfa + -1*-8
        bytes(fde, 0x07, 0x14); // undefined s4
        bytes(fde, 0x04, 0x04, 0x00, 0x00, 0x00); // advance_loc4 4*2 -> 0x1030
        bytes(fde, 0x0b); // restore_state
        bytes(fde, 0xc1); // restore ra
        bytes(fde, 0x01); // set_loc 0x1080
        u64(fde, 0x1080);
        bytes(fde, 0x2f, 0x15, 0x01); // GNU_negative_offset_extended s5 at cfa + 8
        bytes(fde, 0x0f, 0x02, 0x72, 0x00); // def_cfa_expression (DW_OP_breg2 0): not evaluated
        while (fde.size() % 8 != 4) {
            fde.write(0); // DW_CFA_nop padding
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        u32(out, cie.size());
        out.writeBytes(cie.toByteArray());
        u32(out, fde.size());
        out.writeBytes(fde.toByteArray());
        return out.toByteArray();
    }

    @Test
    public void operationsGiveTheRulesTheirSpecificationDescribes() throws Exception {
        CallFrameInfo cfi = CallFrameInfo.parse(new ByteCursor(debugFrame(), ".debug_frame"), 8);
        UnwindRules r = cfi.rulesAt(0x1001);
        assertEquals(2, r.cfaRegister());
        assertEquals(0, r.cfaOffset());
        assertEquals(UnwindRules.SAME_VALUE, r.kind(1));

        r = cfi.rulesAt(0x1002);
        assertEquals(16, r.cfaOffset());
        assertRule(r, 1, UnwindRules.OFFSET, -8);

        r = cfi.rulesAt(0x1027);
        assertEquals(8, r.cfaRegister());
        assertEquals(16, r.cfaOffset());
        assertRule(r, 9, UnwindRules.VAL_OFFSET, -16);

        r = cfi.rulesAt(0x1028);
        assertRule(r, 18, UnwindRules.REGISTER, 10);
        assertRule(r, 19, UnwindRules.OFFSET, 8);
        assertEquals(UnwindRules.UNDEFINED, r.kind(20));
        assertRule(r, 1, UnwindRules.OFFSET, -8);

        for (long pc : new long[] {0x1030, 0x107f}) {
            r = cfi.rulesAt(pc);
            assertEquals("restore_state drops s2", UnwindRules.SAME_VALUE, r.kind(18));
            assertEquals("restore_state drops s3", UnwindRules.SAME_VALUE, r.kind(19));
            assertEquals("restore_state drops s4", UnwindRules.SAME_VALUE, r.kind(20));
            assertEquals("restore ra to the CIE's rule", UnwindRules.SAME_VALUE, r.kind(1));
            assertRule(r, 9, UnwindRules.VAL_OFFSET, -16);
            assertEquals(8, r.cfaRegister());
        }
        assertNull("a CFA expression is not evaluated", cfi.rulesAt(0x1080));
        assertTrue(cfi.covers(0x10ff));
        assertFalse(cfi.covers(0x1100));
        assertNull(cfi.rulesAt(0x1100));
    }

    @Test
    public void unwindingStopsWithoutCfiAndWhenTheCfaDoesNotGrow() throws Exception {
        CallFrameInfo cfi = CallFrameInfo.parse(new ByteCursor(debugFrame(), ".debug_frame"), 8);
        Unwinder unwinder = new Unwinder(cfi, pc -> null, new LineTable(List.of()));
        long[] regs = new long[32];
        regs[2] = 0x8000;
        List<StackFrame> frames = unwinder.unwind(0x5000, regs, a -> OptionalLong.empty());
        assertEquals("no CFI: just the current frame", 1, frames.size());
        assertEquals(0x5000, frames.get(0).pc());

        // At 0x1001 the CFA is sp+0 and ra is unsaved; with ra pointing back into the same
        // prologue the caller would have the same CFA again, forever: the trace must stop.
        regs[1] = 0x1002;
        frames = unwinder.unwind(0x1001, regs, a -> OptionalLong.of(0));
        assertEquals(2, frames.size());
        assertEquals(0x8000, frames.get(0).cfa());
        assertEquals(0x1002, frames.get(1).pc());

        // At 0x1002 ra is saved at cfa-8 = 0x8008; a saved ra of 0 is the end of the stack.
        frames = unwinder.unwind(0x1002, regs, a -> OptionalLong.of(a == 0x8008 ? 0x1003 : 0));
        assertEquals(2, frames.size());
        assertEquals(0x8010, frames.get(0).cfa());
        assertEquals(0x1003, frames.get(1).pc());
        assertEquals(0x8020, frames.get(1).cfa());

        frames = unwinder.unwind(0x1002, regs, a -> OptionalLong.empty());
        assertEquals("unreadable saved ra ends the trace", 1, frames.size());
    }

    private static void assertRule(UnwindRules r, int reg, byte kind, long value) {
        assertEquals("kind of r" + reg, kind, r.kind(reg));
        assertEquals("value of r" + reg, value, r.value(reg));
    }

    private static void bytes(ByteArrayOutputStream out, int... values) {
        for (int v : values) {
            out.write(v);
        }
    }

    private static void u32(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }

    private static void u64(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }
}
