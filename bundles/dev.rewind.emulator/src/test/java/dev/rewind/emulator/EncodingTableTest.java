package dev.rewind.emulator;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashSet;
import java.util.Set;
import org.junit.Test;

public class EncodingTableTest {

    /** Pairs where one encoding is a special case of the other, resolved most-specific-first. */
    private static final Set<String> NESTED = Set.of(
            "c.addi16sp<c.lui", "c.jr<c.mv", "c.ebreak<c.jalr", "c.ebreak<c.add", "c.jalr<c.add");

    @Test
    public void noTwoEncodingsOverlapExceptDeclaredSpecialCases() {
        Encoding[] all = Encoding.values();
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                Encoding a = all[i], b = all[j];
                if (a.compressed() != b.compressed()) {
                    continue;
                }
                boolean overlap = ((a.match ^ b.match) & a.mask & b.mask) == 0;
                if (!overlap) {
                    continue;
                }
                Encoding special = Integer.bitCount(a.mask) > Integer.bitCount(b.mask) ? a : b;
                Encoding general = special == a ? b : a;
                boolean nested = (special.mask & general.mask) == general.mask;
                if (!nested || !NESTED.contains(special.mnemonic + "<" + general.mnemonic)) {
                    fail(a.mnemonic + " overlaps " + b.mnemonic);
                }
            }
        }
    }

    @Test
    public void matchBitsLieInsideMasks() {
        for (Encoding e : Encoding.values()) {
            assertEquals(e.mnemonic, 0, e.match & ~e.mask);
            if (e.compressed()) {
                assertEquals(e.mnemonic, 0, e.mask & 0xffff0000);
            }
        }
    }

    @Test
    public void everyExecutableOpIsReachableFromTheTable() {
        Set<Integer> reached = new HashSet<>();
        for (Encoding e : Encoding.values()) {
            reached.add(e.op);
        }
        for (int op = Op.LUI; op < Op.CROSS; op++) { // CROSS and PAGE_END are internal
            assertTrue("op " + op + " has no encoding", reached.contains(op));
        }
        for (int op = Op.FP_FIRST; op <= Op.FP_LAST; op++) {
            assertTrue("op " + op + " has no encoding", reached.contains(op));
        }
    }

    @Test
    public void decodesKnownInstructions() {
        assertEquals("addi", Decoder.lookup(0x00100093).mnemonic); // addi x1, x0, 1
        assertEquals("csrrs", Decoder.lookup(0xf1402573).mnemonic); // csrr a0, mhartid
        assertEquals("c.jr", Decoder.lookup(0x8082).mnemonic); // ret
        assertEquals("c.ebreak", Decoder.lookup(0x9002).mnemonic);
        assertEquals("c.addi16sp", Decoder.lookup(0x7139).mnemonic); // addi sp, sp, -64
        assertEquals("lr.d", Decoder.lookup(0x1005b52f).mnemonic);
        assertNotNull(Decoder.lookup(0x12000073)); // sfence.vma
        assertEquals("c.fld", Decoder.lookup(0x2000).mnemonic);
        assertEquals("fmadd.d", Decoder.lookup(0x02b57543).mnemonic); // fmadd.d fa0, fa0, fa1, ft0 (dynamic rm)
        assertEquals("fcvt.w.d", Decoder.lookup(0xc2051553).mnemonic); // fcvt.w.d a0, fa0, rtz
    }

    @Test
    public void reservedCompressedFormsDecodeAsIllegalWithTheirBits() {
        for (int insn : new int[] {0x0000, 0x4002 /* c.lwsp x0 */, 0x8002 /* c.jr x0 */, 0x6101 /* c.addi16sp 0 */,
            0x2001 /* c.addiw x0 */, 0xffffffff}) {
            long slot = Decoder.decode(insn);
            assertEquals(Integer.toHexString(insn), Op.ILLEGAL, DecodedPage.word(slot) & 0xff);
            assertEquals((insn & 3) == 3 ? insn : insn & 0xffff, DecodedPage.imm(slot));
        }
    }

    @Test
    public void compressedImmediatesExpandCorrectly() {
        long s = Decoder.decode(0x7139); // c.addi16sp sp, -64
        assertEquals(Op.ADDI, DecodedPage.word(s) & 0xff);
        assertEquals(-64, DecodedPage.imm(s));
        s = Decoder.decode(0xfc06); // c.sdsp ra, 56(sp)
        assertEquals(Op.SD, DecodedPage.word(s) & 0xff);
        assertEquals(56, DecodedPage.imm(s));
        s = Decoder.decode(0xbfe5); // c.j -8
        assertEquals(Op.JAL, DecodedPage.word(s) & 0xff);
        assertEquals(-8, DecodedPage.imm(s));
        assertFalse((DecodedPage.word(s) & Op.COMPRESSED_BIT) == 0);
    }
}
